package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Float32 convolutions on oneDNN 2.5 through its JavaCPP preset (decision D18): dense, pointwise
 * and depthwise, forward, backward-data and backward-weights, NHWC activations used in place, and
 * for inference the eval-mode batch norm and activation fused in (BN folded into the weights while
 * they are reordered, its shift as the bias, the activation as a post-op).
 *
 * <p>Per call the weights, stored {@code [kH,kW,I,O]} (depthwise {@code [kH,kW,C,1]}), are reordered
 * into the blocked layout the primitive wants, scaled per output channel when BN is folded; the
 * primitives themselves are cached per shape (input size, batch, channels, geometry) for the life
 * of the process, and every execution gets its own scratchpad (thread safety). oneDNN 2.5's
 * brgemm kernels plus the fusion make EfficientNet inference 1.2-1.8x faster than ND4J's bundled
 * oneDNN 2.3, OpenBLAS and separate BN passes (decision D18).
 *
 * <p>Disabled with {@code -Defficientnet.dnnl=false}, or automatically (one warning) when the native
 * library cannot be loaded; callers then use the ND4J path.
 */
final class DnnlConvolution {
    private static final Logger LOG = LoggerFactory.getLogger(DnnlConvolution.class);
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("efficientnet.dnnl", "true")) && load();
    private static dnnl_engine engine;
    private static final Map<Key, Plan> PLANS = new ConcurrentHashMap<>();
    private static final Map<Key, BackwardPlan> BACKWARD_PLANS = new ConcurrentHashMap<>();
    /** oneDNN's effective ISA includes AVX512-BF16 (AMX-capable ISAs include it too). */
    private static final boolean BF16_ISA = ENABLED && hasBf16Isa();
    private static final ThreadLocal<Context> CONTEXT = ThreadLocal.withInitial(Context::new);

    private DnnlConvolution() {
    }

    private static boolean load() {
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            dnnl_engine e = new dnnl_engine();
            check(dnnl_engine_create(e, dnnl_cpu, 0), "engine");
            engine = e;
            return true;
        } catch (Throwable t) {
            LOG.warn("oneDNN (org.bytedeco:dnnl) unavailable, convolutions use ND4J: {}", t.toString());
            return false;
        }
    }

    private static boolean hasBf16Isa() {
        int isa = dnnl_get_effective_cpu_isa();
        return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
    }

    /** True when oneDNN is loaded and runs bfloat16 convolutions natively (AVX512-BF16 or AMX) here. */
    static boolean bf16Available() {
        return BF16_ISA;
    }

    /**
     * True when a dense (not depthwise) training convolution on {@code x} runs with bfloat16
     * inputs: the calling thread asked for it ({@link dev.efficientnet.core.backend.MixedPrecision})
     * and the CPU has it.
     */
    static boolean bf16(Tensor x, boolean depthwise) {
        return !depthwise && BF16_ISA && x.dtype() == DType.FLOAT32 && dev.efficientnet.core.backend.MixedPrecision.bf16Convolutions();
    }

    /** True when this call can run here: float32 and oneDNN loaded. */
    static boolean applies(Tensor x) {
        return ENABLED && x.dtype() == DType.FLOAT32;
    }

    /** The post-op algorithm for an activation, 0 for none, -1 when oneDNN has no such post-op. */
    static int postOp(UnaryOp act) {
        if (act == null) return 0;
        return switch (act) {
            case SILU -> dnnl_eltwise_swish;
            case SIGMOID -> dnnl_eltwise_logistic;
            case RELU -> dnnl_eltwise_relu;
            case HARD_SWISH -> dnnl_eltwise_hardswish;
            default -> -1;
        };
    }

    /** {@code out = conv(x, w) + bias} ({@code bias} may be null). */
    static void forward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, boolean depthwise, Tensor out) {
        run(x, w, bias, null, g, depthwise, 0, out);
    }

    /**
     * {@code out = act(conv(x, w) * scale + shift)} per output channel: the conv with an eval-mode
     * batch norm ({@code scale = gamma / sqrt(var + eps)}, {@code shift = beta - mean * scale})
     * folded in. {@code act} must have a {@link #postOp}.
     */
    static void forwardScaled(Tensor x, Tensor w, Tensor scale, Tensor shift, ConvGeometry g, boolean depthwise,
                              UnaryOp act, Tensor out) {
        int alg = postOp(act);
        if (alg < 0) throw new IllegalArgumentException("no oneDNN post-op for " + act);
        run(x, w, shift, scale, g, depthwise, alg, out);
    }

    /**
     * Gradients of {@link #forward} without bias: {@code gradX} (backward-data) and {@code gradW}
     * (backward-weights, reordered back to the plain layout); either may be null.
     */
    static void backward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, boolean depthwise, Tensor gradX, Tensor gradW) {
        if (gradX == null && gradW == null) return;
        BackwardPlan plan = null;
        if (bf16(x, depthwise)) {
            plan = BACKWARD_PLANS.computeIfAbsent(new Key(x.dim(0), x.dim(1), x.dim(2), x.dim(3), gradOut.dim(3), g, false,
                    false, false, 0, true), BackwardPlan::create);
            if (plan.data == null) plan = null;          // no native bf16 kernel for this shape: float32
        }
        if (plan == null) {
            Key key = new Key(x.dim(0), x.dim(1), x.dim(2), x.dim(3), gradOut.dim(3), g, depthwise, false, false, 0, false);
            plan = BACKWARD_PLANS.computeIfAbsent(key, BackwardPlan::create);
        }
        Context ctx = CONTEXT.get();
        try {
            backward(plan, ctx, x, w, gradOut, g, gradX, gradW);
        } finally {
            ctx.releaseMemories();
        }
    }

    private static void backward(BackwardPlan plan, Context ctx, Tensor x, Tensor w, Tensor gradOut, ConvGeometry g,
                                 Tensor gradX, Tensor gradW) {
        dnnl_exec_arg_t args = ctx.args;
        dnnl_memory dy = ctx.memory(plan.shape.dst, address(gradOut));
        if (plan.shape.bf16) dy = toBf16(ctx, plan.dstToBf16, dy, plan.shape.dstBf16);
        if (gradX != null) {
            Tensor packed = Tensor.empty(DType.FLOAT32, floats(plan.dataWeights));
            dnnl_memory wPacked = ctx.memory(plan.dataWeights, address(packed));
            args.position(0).arg(DNNL_ARG_FROM).memory(ctx.memory(plan.shape.weightsPlain, address(w)));
            args.position(1).arg(DNNL_ARG_TO).memory(wPacked);
            execute(plan.weightsToData, ctx, 2);
            args.position(0).arg(DNNL_ARG_DIFF_DST).memory(dy);
            args.position(1).arg(DNNL_ARG_WEIGHTS).memory(wPacked);
            args.position(2).arg(DNNL_ARG_DIFF_SRC).memory(ctx.memory(plan.shape.src, address(gradX)));
            execute(plan.data, ctx, 3);
        }
        if (gradW != null && plan.javaWeights) {
            JavaDepthwiseBackward.backward(x, w, gradOut, g, null, gradW);
        } else if (gradW != null) {
            Tensor packed = Tensor.empty(DType.FLOAT32, floats(plan.diffWeights));
            dnnl_memory gwPacked = ctx.memory(plan.diffWeights, address(packed));
            dnnl_memory src = ctx.memory(plan.shape.src, address(x));
            if (plan.shape.bf16) src = toBf16(ctx, plan.srcToBf16, src, plan.shape.srcBf16);
            args.position(0).arg(DNNL_ARG_DIFF_DST).memory(dy);
            args.position(1).arg(DNNL_ARG_SRC).memory(src);
            args.position(2).arg(DNNL_ARG_DIFF_WEIGHTS).memory(gwPacked);
            execute(plan.weights, ctx, 3);
            args.position(0).arg(DNNL_ARG_FROM).memory(gwPacked);
            args.position(1).arg(DNNL_ARG_TO).memory(ctx.memory(plan.shape.weightsPlain, address(gradW)));
            execute(plan.diffWeightsToPlain, ctx, 2);
        }
    }

    /** {@code from} (float32) converted into a new bfloat16 buffer of layout {@code to} by {@code reorder}. */
    private static dnnl_memory toBf16(Context ctx, Op reorder, dnnl_memory from, dnnl_memory_desc_t to) {
        Tensor buf = Tensor.empty(DType.FLOAT32, floats(to));
        dnnl_memory m = ctx.memory(to, address(buf));
        ctx.args.position(0).arg(DNNL_ARG_FROM).memory(from);
        ctx.args.position(1).arg(DNNL_ARG_TO).memory(m);
        execute(reorder, ctx, 2);
        return m;
    }

    private static int floats(dnnl_memory_desc_t d) {
        return (int) ((dnnl_memory_desc_get_size(d) + 3) / 4);
    }

    private static void run(Tensor x, Tensor w, Tensor bias, Tensor scale, ConvGeometry g, boolean depthwise, int postOp,
                            Tensor out) {
        Plan plan = null;
        if (scale == null && postOp == 0 && bf16(x, depthwise)) {
            plan = PLANS.computeIfAbsent(new Key(x.dim(0), x.dim(1), x.dim(2), x.dim(3), out.dim(3), g, false, bias != null,
                    false, 0, true), Plan::create);
            if (plan.conv == null) plan = null;          // no native bf16 kernel for this shape: float32
        }
        if (plan == null) {
            Key key = new Key(x.dim(0), x.dim(1), x.dim(2), x.dim(3), out.dim(3), g, depthwise, bias != null, scale != null,
                    postOp, false);
            plan = PLANS.computeIfAbsent(key, Plan::create);
        }
        Context ctx = CONTEXT.get();
        try {
            run(plan, ctx, x, w, bias, scale, out);
        } finally {
            ctx.releaseMemories();
        }
    }

    private static void run(Plan plan, Context ctx, Tensor x, Tensor w, Tensor bias, Tensor scale, Tensor out) {
        Tensor packed = Tensor.empty(DType.FLOAT32, floats(plan.weightsPacked));
        dnnl_memory wPlain = ctx.memory(plan.shape.weightsPlain, address(w));
        dnnl_memory wPacked = ctx.memory(plan.weightsPacked, address(packed));
        dnnl_exec_arg_t args = ctx.args;
        args.position(0).arg(DNNL_ARG_FROM).memory(wPlain);
        args.position(1).arg(DNNL_ARG_TO).memory(wPacked);
        int n = 2;
        if (scale != null) args.position(n++).arg(DNNL_ARG_ATTR_OUTPUT_SCALES).memory(ctx.memory(plan.channelVector, address(scale)));
        execute(plan.reorder, ctx, n);
        dnnl_memory src = ctx.memory(plan.shape.src, address(x));
        if (plan.shape.bf16) src = toBf16(ctx, plan.srcToBf16, src, plan.shape.srcBf16);
        args.position(0).arg(DNNL_ARG_SRC).memory(src);
        args.position(1).arg(DNNL_ARG_WEIGHTS).memory(wPacked);
        args.position(2).arg(DNNL_ARG_DST).memory(ctx.memory(plan.shape.dst, address(out)));
        n = 3;
        if (bias != null) args.position(n++).arg(DNNL_ARG_BIAS).memory(ctx.memory(plan.channelVector, address(bias)));
        execute(plan.conv, ctx, n);
    }

    /**
     * Runs a primitive with the arguments set in {@code ctx.args}, plus a scratchpad of its own: with
     * oneDNN's library-managed scratchpad, concurrent calls from several Java threads occasionally
     * gave different results (the 8-thread {@code ClassifierTest} caught it).
     */
    private static void execute(Op op, Context ctx, int nargs) {
        if (op.scratchpadFloats() > 0) {
            Tensor scratch = Tensor.empty(DType.FLOAT32, op.scratchpadFloats());
            ctx.args.position(nargs++).arg(DNNL_ARG_SCRATCHPAD).memory(ctx.memory(op.scratchpad(), address(scratch)));
        }
        check(dnnl_primitive_execute(op.primitive(), ctx.stream, nargs, ctx.args.position(0)), "execute");
        check(dnnl_stream_wait(ctx.stream), "stream wait");
    }

    /** A primitive and the scratchpad it needs. */
    private record Op(dnnl_primitive primitive, dnnl_memory_desc_t scratchpad, int scratchpadFloats) {
        static Op of(dnnl_primitive_desc pd, String what) {
            dnnl_primitive p = new dnnl_primitive();
            check(dnnl_primitive_create(p, pd), what);
            dnnl_memory_desc_t scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            return new Op(p, scratch, floats(scratch));
        }
    }

    /** Primitive attributes with a user-provided scratchpad. */
    private static dnnl_primitive_attr attributes() {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "attributes");
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode");
        return attr;
    }

    private static long address(Tensor t) {
        NdStorage s = CpuBackend.st(t);
        return s.flat.data().address() + s.flat.offset() * s.dtype.bytes();
    }

    static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
    }

    private static dnnl_memory_desc_t desc(long[] dims, int tag) {
        return desc(dims, tag, dnnl_f32);
    }

    private static dnnl_memory_desc_t desc(long[] dims, int tag, int dataType) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, dataType, tag), "memory descriptor " + java.util.Arrays.toString(dims));
        return d;
    }

    /** Everything that selects a primitive. */
    private record Key(int n, int h, int w, int cin, int cout, ConvGeometry g, boolean depthwise, boolean bias,
                       boolean scaled, int postOp, boolean bf16) {
    }

    /** The activation, weights and channel-vector descriptors of one convolution shape. */
    private static final class Shape {
        final dnnl_memory_desc_t src;
        final dnnl_memory_desc_t dst;
        final dnnl_memory_desc_t weightsPlain;
        final dnnl_memory_desc_t weightsAny;
        /** Mixed precision: the convolution reads bfloat16 src, weights and output gradient (converted per call) and
         *  writes float32 outputs and gradients. */
        final boolean bf16;
        final dnnl_memory_desc_t srcBf16;
        final dnnl_memory_desc_t dstBf16;
        /** The weights as the primitive reads them (bfloat16 in mixed precision). */
        final dnnl_memory_desc_t weightsAnyIn;
        final long[] strides;
        final long[] dilates;
        final long[] padL;
        final long[] padR;

        Shape(Key k) {
            ConvGeometry g = k.g();
            src = desc(new long[]{k.n(), k.cin(), k.h(), k.w()}, dnnl_nhwc);
            dst = desc(new long[]{k.n(), k.cout(), g.outH(k.h()), g.outW(k.w())}, dnnl_nhwc);
            long[] wDims = k.depthwise()
                    ? new long[]{k.cin(), 1, 1, g.kernelH(), g.kernelW()}
                    : new long[]{k.cout(), k.cin(), g.kernelH(), g.kernelW()};
            weightsPlain = desc(wDims, k.depthwise() ? dnnl_hwigo : dnnl_hwio);
            weightsAny = desc(wDims, dnnl_format_tag_any);
            bf16 = k.bf16();
            srcBf16 = bf16 ? desc(new long[]{k.n(), k.cin(), k.h(), k.w()}, dnnl_nhwc, dnnl_bf16) : null;
            dstBf16 = bf16 ? desc(new long[]{k.n(), k.cout(), g.outH(k.h()), g.outW(k.w())}, dnnl_nhwc, dnnl_bf16) : null;
            weightsAnyIn = bf16 ? desc(wDims, dnnl_format_tag_any, dnnl_bf16) : weightsAny;
            strides = new long[]{g.strideH(), g.strideW()};
            dilates = new long[]{g.dilationH() - 1, g.dilationW() - 1};
            padL = new long[]{g.padTop(), g.padLeft()};
            padR = new long[]{g.padBottom(), g.padRight()};
        }

        dnnl_primitive_desc forwardDesc(Key k, int propKind, dnnl_memory_desc_t bias, dnnl_primitive_attr attr) {
            dnnl_convolution_desc_t cd = new dnnl_convolution_desc_t();
            check(dnnl_dilated_convolution_forward_desc_init(cd, propKind, dnnl_convolution_direct, bf16 ? srcBf16 : src,
                    weightsAnyIn, bias, dst, strides, dilates, padL, padR), "convolution descriptor " + k);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(cd), attr, engine, null), "convolution " + k);
            return pd;
        }
    }

    /** oneDNN's name for the implementation it picked, e.g. {@code jit_dw:avx512_common}. */
    private static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> name = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "implementation query");
        return name.get(BytePointer.class, 0).getString();
    }

    /** A reorder between two weight layouts, optionally with runtime per-output-channel scales. */
    private static Op reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to, boolean scaled) {
        dnnl_primitive_attr attr = attributes();
        if (scaled) check(dnnl_primitive_attr_set_output_scales(attr, 1, 1, new float[]{(float) DNNL_RUNTIME_F32_VAL()}), "output scales");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, attr), "weights reorder");
        dnnl_primitive_attr_destroy(attr);
        return Op.of(pd, "reorder primitive");
    }

    /** The cached backward-data and backward-weights primitives of one convolution shape. */
    private static final class BackwardPlan {
        dnnl_primitive_desc forwardHint;
        dnnl_primitive_desc dataDesc;
        dnnl_primitive_desc weightsDesc;
        Op data;
        Op weights;
        Op weightsToData;
        Op diffWeightsToPlain;
        Shape shape;
        dnnl_memory_desc_t dataWeights;
        dnnl_memory_desc_t diffWeights;
        boolean javaWeights;
        Op srcToBf16;
        Op dstToBf16;

        static BackwardPlan create(Key k) {
            Shape s = new Shape(k);
            BackwardPlan p = new BackwardPlan();
            p.shape = s;
            p.forwardHint = s.forwardDesc(k, dnnl_forward_training, null, null);
            dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
            check(dnnl_dilated_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, s.src, s.weightsAnyIn,
                    s.bf16 ? s.dstBf16 : s.dst, s.strides, s.dilates, s.padL, s.padR), "backward-data descriptor " + k);
            p.dataDesc = new dnnl_primitive_desc();
            dnnl_primitive_attr attr = attributes();
            check(dnnl_primitive_desc_create(p.dataDesc, new const_dnnl_op_desc_t(dd), attr, engine, p.forwardHint), "backward data " + k);
            p.dataWeights = dnnl_primitive_desc_query_md(p.dataDesc, dnnl_query_weights_md, 0);
            if (s.bf16 && implementation(p.dataDesc).contains("ref")) {
                LOG.debug("no native bf16 backward-data kernel for {}: float32", k);
                dnnl_primitive_attr_destroy(attr);
                return p;                                   // data == null: the caller uses float32
            }
            p.data = Op.of(p.dataDesc, "backward-data primitive");
            p.weightsToData = reorder(s.weightsPlain, p.dataWeights, false);
            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            check(dnnl_dilated_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, s.bf16 ? s.srcBf16 : s.src,
                    s.weightsAny, null, s.bf16 ? s.dstBf16 : s.dst, s.strides, s.dilates, s.padL, s.padR),
                    "backward-weights descriptor " + k);
            p.weightsDesc = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(p.weightsDesc, new const_dnnl_op_desc_t(wd), attr, engine, p.forwardHint), "backward weights " + k);
            dnnl_primitive_attr_destroy(attr);
            p.diffWeights = dnnl_primitive_desc_query_md(p.weightsDesc, dnnl_query_diff_weights_md, 0);
            // Without a depthwise kernel for this shape (5x5 in oneDNN 2.5), oneDNN falls back to its
            // generic grouped kernel, 2x slower than the Java one on B0's layers (decision D18).
            p.javaWeights = k.depthwise() && !implementation(p.weightsDesc).contains("_dw");
            p.weights = Op.of(p.weightsDesc, "backward-weights primitive");
            p.diffWeightsToPlain = reorder(p.diffWeights, s.weightsPlain, false);
            if (s.bf16) {
                if (implementation(p.weightsDesc).contains("ref")) {
                    LOG.debug("no native bf16 backward-weights kernel for {}: float32", k);
                    p.data = null;
                    return p;
                }
                p.srcToBf16 = reorder(s.src, s.srcBf16, false);
                p.dstToBf16 = reorder(s.dst, s.dstBf16, false);
            }
            return p;
        }
    }

    /** The cached primitives and descriptors of one convolution shape. */
    private static final class Plan {
        dnnl_primitive_desc convDesc;
        Op conv;
        Op reorder;
        Op srcToBf16;
        Shape shape;
        dnnl_memory_desc_t weightsPacked;
        dnnl_memory_desc_t channelVector;

        static Plan create(Key k) {
            Shape s = new Shape(k);
            Plan p = new Plan();
            p.shape = s;
            p.channelVector = desc(new long[]{k.cout()}, dnnl_a);
            dnnl_primitive_attr attr = attributes();
            if (k.postOp() != 0) {
                dnnl_post_ops ops = new dnnl_post_ops();
                check(dnnl_post_ops_create(ops), "post-ops");
                float alpha = k.postOp() == dnnl_eltwise_swish ? 1f : 0f;
                check(dnnl_post_ops_append_eltwise(ops, 1f, k.postOp(), alpha, 0f), "eltwise post-op");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
                dnnl_post_ops_destroy(ops);
            }
            p.convDesc = s.forwardDesc(k, dnnl_forward_inference, k.bias() ? p.channelVector : null, attr);
            dnnl_primitive_attr_destroy(attr);
            p.weightsPacked = dnnl_primitive_desc_query_md(p.convDesc, dnnl_query_weights_md, 0);
            if (s.bf16) {
                if (implementation(p.convDesc).contains("ref")) {
                    LOG.debug("no native bf16 convolution kernel for {}: float32", k);
                    return p;                               // conv == null: the caller uses float32
                }
                p.srcToBf16 = reorder(s.src, s.srcBf16, false);
            }
            p.conv = Op.of(p.convDesc, "convolution primitive");
            p.reorder = reorder(s.weightsPlain, p.weightsPacked, k.scaled());
            return p;
        }
    }

    /** Per-thread stream, argument array and the memory objects of the call in progress. */
    private static final class Context {
        final dnnl_stream stream = new dnnl_stream();
        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(8);
        private final dnnl_memory[] memories = new dnnl_memory[16];
        private int used;

        Context() {
            check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
        }

        /** A memory object over {@code address} (destroyed by {@link #releaseMemories}). */
        dnnl_memory memory(dnnl_memory_desc_t desc, long address) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, desc, engine, new Address(address)), "memory");
            memories[used++] = m;
            return m;
        }

        void releaseMemories() {
            for (int i = 0; i < used; i++) {
                dnnl_memory_destroy(memories[i]);
                memories[i] = null;
            }
            used = 0;
        }
    }

    /** A raw native address as a JavaCPP pointer (the memory belongs to ND4J). */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }
}
