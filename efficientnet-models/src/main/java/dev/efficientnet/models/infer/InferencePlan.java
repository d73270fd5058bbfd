package dev.efficientnet.models.infer;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.backend.cpu.NativeBuffers;
import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Block;
import dev.efficientnet.layers.Conv2d;
import dev.efficientnet.layers.ConvBnAct;
import dev.efficientnet.layers.FusedMBConv;
import dev.efficientnet.layers.Head;
import dev.efficientnet.layers.Linear;
import dev.efficientnet.layers.MBConv;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.SqueezeExcite;
import dev.efficientnet.models.EfficientNet;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * An {@link EfficientNet} in eval mode compiled for one input shape {@code [batch, C, height,
 * width]} (decision D25): a fixed list of oneDNN primitives, created once, with
 *
 * <ul>
 *   <li>every batch norm folded into its convolution's weights and bias, every activation and
 *       every residual add fused into the convolution as post-ops;</li>
 *   <li>the weights packed once into the blocked layouts the kernels want (BN scale applied while
 *       packing) and kept for the plan's life; the plan records the model's
 *       {@linkplain #weightVersion weight version} and {@link InferencePlans} rebuilds it when the
 *       weights change (loading, an optimizer step, a state-dict write);</li>
 *   <li>activations NHWC from the stem to the head (the layout the brgemm kernels run natively), so
 *       no reorders between layers; squeeze-excite as pooling, two inner products with fused
 *       activations, and one in-place broadcast multiply;</li>
 *   <li>every intermediate buffer at a fixed offset of one native arena, planned from the buffers'
 *       lifetimes: a call allocates nothing.</li>
 * </ul>
 *
 * <p>A plan is used by one thread at a time ({@link #run} is synchronized); {@link InferencePlans}
 * keeps a bounded pool of them per shape. Plans hold native memory: {@link #close()} frees it (the
 * cache does this when it evicts a plan).
 */
public final class InferencePlan implements AutoCloseable {
    private static final int ALIGN = 64;
    private static dnnl_engine engine;

    private final int batch;
    private final int channels;
    private final int height;
    private final int width;
    private final Precision precision;
    private final long weightVersion;
    private final int numClasses;
    private final int featureCount;
    private final List<Op> ops;
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final dnnl_memory input;
    private final dnnl_stream stream;
    private final BytePointer arenaBlock;
    private final BytePointer weightsBlock;
    private final BytePointer scratchBlock;
    private final long arenaBytes;
    private final long weightBytes;
    private final long inputStagingAddress;
    private final long logitsAddress;
    private final long featuresAddress;
    private final Map<String, Integer> opCounts;
    private boolean closed;

    private InferencePlan(Builder b) {
        this.batch = b.n;
        this.channels = b.cin;
        this.height = b.h0;
        this.width = b.w0;
        this.precision = b.precision;
        this.weightVersion = b.version;
        this.numClasses = b.numClasses;
        this.featureCount = b.features;
        this.ops = b.ops;
        this.opCounts = b.opCounts;
        // arena: offsets from the buffers' lifetimes
        this.arenaBytes = planOffsets(b.values);
        this.arenaBlock = new BytePointer(arenaBytes + ALIGN);
        long arena = align(arenaBlock.address());
        this.weightBytes = b.weightBytes;
        this.weightsBlock = new BytePointer(Math.max(1, weightBytes) + ALIGN);
        long weights = align(weightsBlock.address());
        this.scratchBlock = new BytePointer(Math.max(1, b.scratchBytes) + ALIGN);
        long scratch = align(scratchBlock.address());
        this.stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
        b.packWeights(weights, stream);
        dnnl_memory in = null;
        for (Op op : ops) {
            op.args = new dnnl_exec_arg_t(op.argList.size() + 1);
            int i = 0;
            for (Arg a : op.argList) {
                long address = switch (a.space) {
                    case ARENA -> arena + a.value.offset;
                    case WEIGHTS -> weights + a.offset;
                    case INPUT -> 0;
                    default -> throw new IllegalStateException();
                };
                dnnl_memory m = memory(a.desc, address == 0 ? arena : address);
                if (a.space == Space.INPUT) in = m;
                op.args.position(i++).arg(a.kind).memory(m);
            }
            if (op.scratchBytes > 0) op.args.position(i++).arg(DNNL_ARG_SCRATCHPAD).memory(memory(op.scratchDesc, scratch));
            op.nargs = i;
            op.args.position(0);
        }
        this.input = in;
        this.inputStagingAddress = arena + b.staging.offset;
        this.logitsAddress = b.logits == null ? 0 : arena + b.logits.offset;
        this.featuresAddress = arena + b.pooled.offset;
    }

    /**
     * Compiles {@code model} (in eval mode) for NCHW float32 input {@code [batch, C, height, width]}.
     *
     * @throws UnsupportedOperationException when oneDNN is unavailable or the model has a layer or
     *                                       activation the plan does not implement (callers then
     *                                       run the eager model)
     */
    public static InferencePlan compile(EfficientNet model, int batch, int height, int width, Precision precision) {
        if (batch < 1 || height < 1 || width < 1)
            throw new IllegalArgumentException("batch, height and width must be >= 1, got " + batch + ", " + height + ", " + width);
        if (precision == null) throw new IllegalArgumentException("precision is null");
        precision.requireSupported();
        ensureEngine();
        Builder b = new Builder(model, batch, height, width, precision);
        b.build();
        return new InferencePlan(b);
    }

    /** True when the native kernels are available (oneDNN 2.5 loaded and enabled). */
    public static boolean available() {
        try {
            if (!NativeBuffers.dnnlAvailable()) return false;
            ensureEngine();
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static synchronized void ensureEngine() {
        if (engine != null) return;
        if (!NativeBuffers.dnnlAvailable()) throw new UnsupportedOperationException("oneDNN is not available");
        dnnl_engine e = new dnnl_engine();
        check(dnnl_engine_create(e, dnnl_cpu, 0), "engine");
        engine = e;
    }

    // ---- running --------------------------------------------------------------------------------

    /**
     * Runs the plan on an NCHW float32 CPU tensor of exactly this plan's shape. Afterwards read
     * {@link #logits} / {@link #features}.
     */
    public synchronized void run(Tensor nchw) {
        requireOpen();
        int[] s = nchw.shape();
        if (s.length != 4 || s[0] != batch || s[1] != channels || s[2] != height || s[3] != width)
            throw new IllegalArgumentException("plan is for [" + batch + ", " + channels + ", " + height + ", " + width
                    + "], got " + java.util.Arrays.toString(s));
        Tensor x = nchw.dtype() == DType.FLOAT32 ? nchw : nchw.to(DType.FLOAT32);
        execute(NativeBuffers.address(x));
    }

    /** Runs the plan on a flat row-major NCHW array of exactly this plan's shape. */
    public synchronized void run(float[] nchw) {
        requireOpen();
        long expected = (long) batch * channels * height * width;
        if (nchw.length != expected)
            throw new IllegalArgumentException("plan input needs " + expected + " values, got " + nchw.length);
        new FloatPointer(new Address(inputStagingAddress)).capacity(nchw.length).put(nchw);
        execute(inputStagingAddress);
    }

    /**
     * Runs the plan {@code iterations} times on {@code nchw}, timing every primitive separately
     * (a stream wait after each), and returns the total milliseconds per call for each kind of
     * primitive ({@link #opSummary()} names), slowest first. For profiles; {@link #run} does not
     * pay for the waits.
     */
    public synchronized Map<String, Double> profile(Tensor nchw, int iterations) {
        run(nchw);
        Map<String, Double> ms = new LinkedHashMap<>();
        for (int it = 0; it < iterations; it++) {
            for (Op op : ops) {
                long t0 = System.nanoTime();
                check(dnnl_primitive_execute(op.primitive, stream, op.nargs, op.args), op.name);
                check(dnnl_stream_wait(stream), "stream wait");
                ms.merge(op.name, (System.nanoTime() - t0) / 1e6 / iterations, Double::sum);
            }
        }
        Map<String, Double> sorted = new LinkedHashMap<>();
        ms.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * One timed primitive of {@link #profileOps}: its {@link #opSummary()} name, its layer type
     * ({@code stem}, {@code depthwise}, {@code 1x1}, {@code 3x3}, {@code SE}, {@code head},
     * {@code elementwise}), its floating-point operations per call (a multiply-add counts 2) and
     * its mean milliseconds per call.
     */
    public record OpTime(String name, String type, long flops, double ms) {
    }

    /**
     * Like {@link #profile} but per primitive, in execution order, with its layer type and FLOPs:
     * the data behind a GFLOP/s-per-layer-type profile (efficientnet-bench {@code PlanProfile}).
     */
    public synchronized List<OpTime> profileOps(Tensor nchw, int iterations) {
        run(nchw);
        double[] ms = new double[ops.size()];
        for (int it = 0; it < iterations; it++) {
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                long t0 = System.nanoTime();
                check(dnnl_primitive_execute(op.primitive, stream, op.nargs, op.args), op.name);
                check(dnnl_stream_wait(stream), "stream wait");
                ms[i] += (System.nanoTime() - t0) / 1e6 / iterations;
            }
        }
        List<OpTime> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) out.add(new OpTime(ops.get(i).name, ops.get(i).type, ops.get(i).flops, ms[i]));
        return out;
    }

    private void execute(long inputAddress) {
        check(dnnl_memory_set_data_handle(input, new Address(inputAddress)), "set input");
        for (Op op : ops) check(dnnl_primitive_execute(op.primitive, stream, op.nargs, op.args), op.name);
        check(dnnl_stream_wait(stream), "stream wait");
    }

    /** The logits of the last {@link #run}, {@code [batch * numClasses]} row-major. */
    public synchronized float[] logits() {
        requireOpen();
        if (logitsAddress == 0) throw new IllegalStateException("the model has no classifier");
        return read(logitsAddress, batch * numClasses);
    }

    /** The pooled features of the last {@link #run}, {@code [batch * headChannels]} row-major. */
    public synchronized float[] features() {
        requireOpen();
        return read(featuresAddress, batch * featureCount);
    }

    private static float[] read(long address, int n) {
        float[] out = new float[n];
        new FloatPointer(new Address(address)).capacity(n).get(out);
        return out;
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("inference plan is closed");
    }

    // ---- accessors --------------------------------------------------------------------------------

    /** Batch size of the input. */
    public int batch() {
        return batch;
    }

    /** Input height. */
    public int height() {
        return height;
    }

    /** Input width. */
    public int width() {
        return width;
    }

    /** The arithmetic of this plan. */
    public Precision precision() {
        return precision;
    }

    /** The model's weight version this plan was compiled from ({@link InferencePlans#weightVersion}). */
    public long weightVersion() {
        return weightVersion;
    }

    /** Bytes of the activation arena (all intermediate buffers). */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** Bytes of the packed weights and biases. */
    public long weightBytes() {
        return weightBytes;
    }

    /** Number of primitives executed per call. */
    public int opCount() {
        return ops.size();
    }

    /** The primitives per kind and the implementation oneDNN chose, e.g. {@code conv brgconv:avx512_core -> 49}. */
    public Map<String, Integer> opSummary() {
        return java.util.Collections.unmodifiableMap(opCounts);
    }

    /** Frees the native memory and primitives; the plan cannot run afterwards. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (dnnl_memory m : memories) dnnl_memory_destroy(m);
        for (Op op : ops) dnnl_primitive_destroy(op.primitive);
        dnnl_stream_destroy(stream);
        arenaBlock.deallocate();
        weightsBlock.deallocate();
        scratchBlock.deallocate();
    }

    @Override
    public String toString() {
        return "InferencePlan[" + batch + "x" + channels + "x" + height + "x" + width + ", " + precision + ", " + ops.size()
                + " ops, arena " + (arenaBytes >> 10) + " KiB, weights " + (weightBytes >> 10) + " KiB]";
    }

    // ---- internals ----------------------------------------------------------------------------------

    private dnnl_memory memory(dnnl_memory_desc_t desc, long address) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, desc, engine, new Address(address)), "memory");
        memories.add(m);
        return m;
    }

    private static long align(long a) {
        return (a + ALIGN - 1) & -ALIGN;
    }

    /**
     * Assigns every buffer an arena offset so that buffers alive at the same time never overlap
     * (largest first, lowest free offset); returns the arena size.
     */
    static long planOffsets(List<Value> values) {
        List<Value> order = new ArrayList<>(values);
        order.sort(Comparator.comparingLong((Value v) -> -v.bytes).thenComparingInt(v -> v.first));
        List<Value> placed = new ArrayList<>();
        long size = 0;
        for (Value v : order) {
            List<Value> live = new ArrayList<>();
            for (Value p : placed) if (p.first <= v.last && v.first <= p.last) live.add(p);
            live.sort(Comparator.comparingLong(p -> p.offset));
            long offset = 0;
            for (Value p : live) {
                if (offset + v.bytes <= p.offset) break;
                offset = Math.max(offset, align(p.offset + p.bytes));
            }
            v.offset = offset;
            placed.add(v);
            size = Math.max(size, offset + v.bytes);
        }
        return align(size);
    }

    static void check(int status, String what) {
        if (status != dnnl_success) throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
    }

    /** An intermediate buffer: size, first and last op that touch it, arena offset. */
    static final class Value {
        final long bytes;
        int first = Integer.MAX_VALUE;
        int last = -1;
        long offset;
        int c;
        int h;
        int w;

        Value(long bytes) {
            this.bytes = align(bytes);
        }

        Value shape(int c, int h, int w) {
            this.c = c;
            this.h = h;
            this.w = w;
            return this;
        }

        void touch(int op) {
            first = Math.min(first, op);
            last = Math.max(last, op);
        }
    }

    private enum Space { ARENA, WEIGHTS, INPUT }

    private record Arg(int kind, dnnl_memory_desc_t desc, Space space, Value value, long offset) {
    }

    private static final class Op {
        final String name;
        final dnnl_primitive primitive;
        String type = "elementwise";
        long flops;
        final List<Arg> argList = new ArrayList<>();
        dnnl_memory_desc_t scratchDesc;
        long scratchBytes;
        dnnl_exec_arg_t args;
        int nargs;

        Op(String name, dnnl_primitive primitive) {
            this.name = name;
            this.primitive = primitive;
        }
    }

    /** Weights to pack at construction: plain float32 values reordered into the primitive's layout. */
    private record WeightJob(dnnl_memory_desc_t plain, float[] values, dnnl_memory_desc_t packed, long offset) {
    }

    /** A raw native address as a JavaCPP pointer (the memory belongs to the plan or the caller). */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    /** Walks the model and creates the primitives, buffers and weight jobs. */
    private static final class Builder {
        final EfficientNet model;
        final int n;
        final int cin;
        final int h0;
        final int w0;
        final Precision precision;
        final int dt;
        final int dtBytes;
        final long version;
        final List<Op> ops = new ArrayList<>();
        final List<Value> values = new ArrayList<>();
        final List<WeightJob> jobs = new ArrayList<>();
        final Map<String, Integer> opCounts = new LinkedHashMap<>();
        long weightBytes;
        long scratchBytes;
        Value staging;
        Value pooled;
        Value logits;
        int numClasses;
        int features;
        // current activation
        int c;
        int h;
        int w;
        // layer type recorded on the ops being created (null: from the op itself)
        String role;

        Builder(EfficientNet model, int n, int height, int width, Precision precision) {
            this.model = model;
            this.n = n;
            this.cin = model.spec().inChannels();
            this.h0 = height;
            this.w0 = width;
            this.precision = precision;
            this.dt = precision == Precision.BF16 ? dnnl_bf16 : dnnl_f32;
            this.dtBytes = precision == Precision.BF16 ? 2 : 4;
            this.version = InferencePlans.weightVersion(model);
        }

        void build() {
            if (model.isTraining()) throw new IllegalStateException("compile an inference plan from a model in eval mode");
            Activation act = model.stem().activation();
            // input: NCHW float32 (the caller's buffer, or the staging buffer) -> NHWC
            staging = value((long) n * cin * h0 * w0 * 4);
            c = cin;
            h = h0;
            w = w0;
            Value x = value(bytes(n, c, h, w)).shape(c, h, w);
            dnnl_memory_desc_t src = desc(new long[]{n, cin, h0, w0}, dnnl_f32, dnnl_nchw);
            dnnl_memory_desc_t dst = desc(new long[]{n, cin, h0, w0}, dt, dnnl_nhwc);
            Op in = reorderOp("input", src, dst);
            in.argList.add(new Arg(DNNL_ARG_FROM, src, Space.INPUT, null, 0));
            arena(in, DNNL_ARG_TO, dst, x);
            touchValue(staging, ops.size() - 1);
            role = "stem";
            x = conv(model.stem(), x, null);
            role = null;
            for (Block block : model.blocks()) x = block(block, x, act);
            role = "head";
            Head head = model.head();
            Conv2d hc = (Conv2d) head.child("conv");
            BatchNorm2d hb = (BatchNorm2d) head.child("bn");
            x = conv(hc, hb, act, x, null);
            features = c;
            if (dt == dnnl_f32) {
                pooled = pool(x, dnnl_f32);
            } else {
                // bf16: pool in bf16, then one small reorder to the float32 features
                Value p = pool(x, dt);
                dnnl_memory_desc_t from = desc(new long[]{n, c}, dt, dnnl_ab);
                dnnl_memory_desc_t to = desc(new long[]{n, c}, dnnl_f32, dnnl_ab);
                Op op = reorderOp("features", from, to);
                pooled = value((long) n * c * 4);
                arena(op, DNNL_ARG_FROM, from, p);
                arena(op, DNNL_ARG_TO, to, pooled);
            }
            Linear cls = head.classifier();
            if (cls != null) {
                numClasses = cls.outFeatures();
                logits = innerProduct("classifier", pooled, dnnl_f32, cls.weight().toFloatArray(), cls.outFeatures(), cls.inFeatures(),
                        false, cls.bias().toFloatArray(), Activation.IDENTITY, dnnl_f32);
            }
        }

        Value block(Block block, Value x, Activation act) {
            boolean residual = block.hasResidual();
            if (block instanceof MBConv) {
                ConvBnAct expand = (ConvBnAct) block.child("expand");
                ConvBnAct dw = (ConvBnAct) block.child("dw");
                SqueezeExcite se = (SqueezeExcite) block.child("se");
                ConvBnAct project = (ConvBnAct) block.child("project");
                Value y = expand == null ? x : conv(expand, x, null);
                y = conv(dw, y, null);
                if (se != null) squeezeExcite(se, y, act);
                return conv(project, y, residual ? x : null);
            }
            if (block instanceof FusedMBConv) {
                ConvBnAct single = (ConvBnAct) block.child("conv");
                if (single != null) return conv(single, x, residual ? x : null);
                ConvBnAct expand = (ConvBnAct) block.child("expand");
                SqueezeExcite se = (SqueezeExcite) block.child("se");
                ConvBnAct project = (ConvBnAct) block.child("project");
                Value y = conv(expand, x, null);
                if (se != null) squeezeExcite(se, y, act);
                return conv(project, y, residual ? x : null);
            }
            throw new UnsupportedOperationException("block type " + block.getClass().getSimpleName());
        }

        Value conv(ConvBnAct m, Value x, Value residual) {
            return conv(m.conv(), m.bn(), m.activation(), x, residual);
        }

        /**
         * {@code act(conv(x) * s + t) [+ residual]} with the BN folded in; with {@code residual} the
         * output is written over the residual's buffer (a sum post-op) and that buffer is returned.
         */
        Value conv(Conv2d conv, BatchNorm2d bn, Activation act, Value x, Value residual) {
            int k = conv.kernel();
            boolean dw = conv.isDepthwise();
            if (!dw && conv.options().groups() != 1) throw new UnsupportedOperationException("grouped convolution");
            int cout = conv.outChannels();
            ConvGeometry g = conv.options().geometry(h, w, k, k);
            int oh = g.outH(h);
            int ow = g.outW(w);
            if (residual != null && (residual.c != cout || residual.h != oh || residual.w != ow))
                throw new IllegalStateException("residual [" + residual.c + ", " + residual.h + ", " + residual.w + "] does not match the block output ["
                        + cout + ", " + oh + ", " + ow + "]");
            // fold BN: w' = w * s[o], b' = beta + (b - mean) * s[o]
            Map<String, Tensor> bs = bn.stateDict();
            float[] gamma = bs.get("weight").toFloatArray();
            float[] beta = bs.get("bias").toFloatArray();
            float[] mean = bs.get("running_mean").toFloatArray();
            float[] var = bs.get("running_var").toFloatArray();
            float[] convBias = conv.bias() == null ? null : conv.bias().toFloatArray();
            float[] scale = new float[cout];
            float[] bias = new float[cout];
            for (int o = 0; o < cout; o++) {
                double s = gamma[o] / Math.sqrt(var[o] + bn.eps());
                scale[o] = (float) s;
                bias[o] = (float) (beta[o] + ((convBias == null ? 0 : convBias[o]) - mean[o]) * s);
            }
            // [kH, kW, I, O] (depthwise [kH, kW, C, 1]): the output channel is the fastest index either way
            float[] wv = conv.weight().toFloatArray();
            for (int i = 0; i < wv.length; i++) wv[i] *= scale[i % cout];
            dnnl_memory_desc_t src = desc(new long[]{n, c, h, w}, dt, dnnl_nhwc);
            dnnl_memory_desc_t dst = desc(new long[]{n, cout, oh, ow}, dt, dnnl_nhwc);
            long[] wDims = dw ? new long[]{c, 1, 1, k, k} : new long[]{cout, c, k, k};
            dnnl_memory_desc_t wPlain = desc(wDims, dnnl_f32, dw ? dnnl_hwigo : dnnl_hwio);
            dnnl_memory_desc_t wAny = desc(wDims, dt, dnnl_format_tag_any);
            dnnl_memory_desc_t biasDesc = desc(new long[]{cout}, dnnl_f32, dnnl_a);
            dnnl_primitive_attr attr = attributes();
            dnnl_post_ops po = new dnnl_post_ops();
            check(dnnl_post_ops_create(po), "post-ops");
            appendEltwise(po, act);
            // residual add: a sum post-op into the residual's buffer, or, when the conv reads that
            // same buffer (a Fused-MBConv without expansion), a binary add into a new one
            boolean inPlace = residual != null && residual != x;
            int addIndex = act == Activation.IDENTITY ? 0 : 1;
            if (inPlace) check(dnnl_post_ops_append_sum(po, 1f), "sum post-op");
            else if (residual != null) check(dnnl_post_ops_append_binary(po, dnnl_binary_add, dst), "binary add post-op");
            check(dnnl_primitive_attr_set_post_ops(attr, po), "set post-ops");
            dnnl_post_ops_destroy(po);
            dnnl_convolution_desc_t cd = new dnnl_convolution_desc_t();
            check(dnnl_dilated_convolution_forward_desc_init(cd, dnnl_forward_inference, dnnl_convolution_direct, src, wAny, biasDesc, dst,
                    new long[]{g.strideH(), g.strideW()}, new long[]{g.dilationH() - 1, g.dilationW() - 1},
                    new long[]{g.padTop(), g.padLeft()}, new long[]{g.padBottom(), g.padRight()}), "convolution descriptor");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(cd), attr, engine, null), "convolution " + k + "x" + k);
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory_desc_t wPacked = copy(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
            Op op = op((dw ? "dwconv " : k == 1 ? "conv1x1 " : "conv" + k + "x" + k + " ") + implementation(pd), pd);
            op.type = role != null ? role : dw ? "depthwise" : k == 1 ? "1x1" : k + "x" + k;
            op.flops = 2L * n * oh * ow * cout * (dw ? 1 : c) * k * k;
            long wOff = weights(wPlain, wv, wPacked);
            long bOff = weights(null, bias, biasDesc);
            Value out = inPlace ? residual : value(bytes(n, cout, oh, ow)).shape(cout, oh, ow);
            arena(op, DNNL_ARG_SRC, src, x);
            op.argList.add(new Arg(DNNL_ARG_WEIGHTS, wPacked, Space.WEIGHTS, null, wOff));
            op.argList.add(new Arg(DNNL_ARG_BIAS, biasDesc, Space.WEIGHTS, null, bOff));
            arena(op, DNNL_ARG_DST, dst, out);
            if (residual != null && !inPlace)
                arena(op, DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (addIndex + 1) | DNNL_ARG_SRC_1, dst, residual);
            dnnl_primitive_desc_destroy(pd);
            c = cout;
            h = oh;
            w = ow;
            return out;
        }

        /** SE on {@code x} in place: pool, reduce + act, expand + sigmoid, broadcast multiply. */
        void squeezeExcite(SqueezeExcite se, Value x, Activation act) {
            int ch = c;
            role = "SE";
            Value p = pool(x, dt);
            Conv2d r = se.reduce();
            Conv2d e = se.expand();
            int rc = r.outChannels();
            Value t = innerProduct("se reduce", p, dt, r.weight().toFloatArray(), rc, ch, true, r.bias().toFloatArray(), act, dt);
            Value gate = innerProduct("se expand", t, dt, e.weight().toFloatArray(), ch, rc, true, e.bias().toFloatArray(),
                    Activation.SIGMOID, dt);
            // the same bytes described two ways: NHWC [N, C, H, W] * [N, C, 1, 1], or [N, H*W, C] * [N, 1, C].
            // oneDNN 2.5 picks its reference kernel for some shapes of the first (B0's first block,
            // 32 channels at 112x112: 58 ms of a 76 ms call), so take the first that gets a jit kernel.
            dnnl_memory_desc_t xd = null;
            dnnl_memory_desc_t gd = null;
            dnnl_primitive_desc pd = null;
            for (int form = 0; form < 2; form++) {
                dnnl_memory_desc_t x4 = form == 0 ? desc(new long[]{n, h * (long) w, ch}, dt, dnnl_abc) : desc(new long[]{n, ch, h, w}, dt, dnnl_nhwc);
                dnnl_memory_desc_t g4 = form == 0 ? desc(new long[]{n, 1, ch}, dt, dnnl_abc) : desc(new long[]{n, ch, 1, 1}, dt, dnnl_nhwc);
                dnnl_binary_desc_t bd = new dnnl_binary_desc_t();
                check(dnnl_binary_desc_init(bd, dnnl_binary_mul, x4, g4, x4), "binary descriptor");
                dnnl_primitive_desc cand = new dnnl_primitive_desc();
                dnnl_primitive_attr attr = attributes();
                check(dnnl_primitive_desc_create(cand, new const_dnnl_op_desc_t(bd), attr, engine, null), "SE gate multiply");
                dnnl_primitive_attr_destroy(attr);
                if (pd != null) dnnl_primitive_desc_destroy(pd);
                pd = cand;
                xd = x4;
                gd = g4;
                if (!implementation(cand).startsWith("ref")) break;
            }
            role = null;
            Op op = op("se gate " + implementation(pd), pd);
            op.flops = (long) n * ch * h * w;
            arena(op, DNNL_ARG_SRC_0, xd, x);
            arena(op, DNNL_ARG_SRC_1, gd, gate);
            arena(op, DNNL_ARG_DST, xd, x);
            dnnl_primitive_desc_destroy(pd);
        }

        /** Global average pool {@code [N,C,H,W] -> [N,C]} of the current activation. */
        Value pool(Value x, int outType) {
            dnnl_memory_desc_t src = desc(new long[]{n, c, h, w}, dt, dnnl_nhwc);
            dnnl_memory_desc_t dst = desc(new long[]{n, c, 1, 1}, outType, dnnl_nhwc);
            dnnl_pooling_desc_t pdesc = new dnnl_pooling_desc_t();
            check(dnnl_pooling_forward_desc_init(pdesc, dnnl_forward_inference, dnnl_pooling_avg_exclude_padding, src, dst,
                    new long[]{1, 1}, new long[]{h, w}, new long[]{0, 0}, new long[]{0, 0}), "pooling descriptor");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            dnnl_primitive_attr attr = attributes();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(pdesc), attr, engine, null), "global average pool");
            dnnl_primitive_attr_destroy(attr);
            Op op = op("avgpool " + implementation(pd), pd);
            if (role != null) op.type = role;
            op.flops = (long) n * c * h * w;
            Value out = value((long) n * c * (outType == dnnl_f32 ? 4 : dtBytes));
            arena(op, DNNL_ARG_SRC, src, x);
            arena(op, DNNL_ARG_DST, dst, out);
            dnnl_primitive_desc_destroy(pd);
            return out;
        }

        /**
         * {@code act(x · Wᵀ + b)} for {@code x [N, in]}; {@code weights} are {@code [out, in]} row-major,
         * or {@code [in, out]} with {@code inMajor} (1×1 conv weights).
         */
        Value innerProduct(String name, Value x, int srcType, float[] weights, int out, int in, boolean inMajor, float[] bias,
                           Activation act, int dstType) {
            dnnl_memory_desc_t src = desc(new long[]{n, in}, srcType, dnnl_ab);
            dnnl_memory_desc_t dst = desc(new long[]{n, out}, dstType, dnnl_ab);
            dnnl_memory_desc_t wPlain = desc(new long[]{out, in}, dnnl_f32, inMajor ? dnnl_ba : dnnl_ab);
            dnnl_memory_desc_t wAny = desc(new long[]{out, in}, srcType, dnnl_format_tag_any);
            dnnl_memory_desc_t biasDesc = desc(new long[]{out}, dnnl_f32, dnnl_a);
            dnnl_primitive_attr attr = attributes();
            dnnl_post_ops po = new dnnl_post_ops();
            check(dnnl_post_ops_create(po), "post-ops");
            appendEltwise(po, act);
            check(dnnl_primitive_attr_set_post_ops(attr, po), "set post-ops");
            dnnl_post_ops_destroy(po);
            dnnl_inner_product_desc_t ipd = new dnnl_inner_product_desc_t();
            check(dnnl_inner_product_forward_desc_init(ipd, dnnl_forward_inference, src, wAny, biasDesc, dst), "inner product descriptor");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(ipd), attr, engine, null), name);
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory_desc_t wPacked = copy(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
            Op op = op(name + " " + implementation(pd), pd);
            if (role != null) op.type = role;
            op.flops = 2L * n * out * in;
            long wOff = weights(wPlain, weights, wPacked);
            long bOff = weights(null, bias, biasDesc);
            Value o = value((long) n * out * (dstType == dnnl_f32 ? 4 : dtBytes));
            arena(op, DNNL_ARG_SRC, src, x);
            op.argList.add(new Arg(DNNL_ARG_WEIGHTS, wPacked, Space.WEIGHTS, null, wOff));
            op.argList.add(new Arg(DNNL_ARG_BIAS, biasDesc, Space.WEIGHTS, null, bOff));
            arena(op, DNNL_ARG_DST, dst, o);
            dnnl_primitive_desc_destroy(pd);
            return o;
        }

        Op reorderOp(String name, dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
            dnnl_primitive_attr attr = attributes();
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, attr), "reorder " + name);
            dnnl_primitive_attr_destroy(attr);
            Op op = op("reorder " + name, pd);
            dnnl_primitive_desc_destroy(pd);
            return op;
        }

        void appendEltwise(dnnl_post_ops po, Activation act) {
            switch (act) {
                case IDENTITY -> { }
                case SILU -> check(dnnl_post_ops_append_eltwise(po, 1f, dnnl_eltwise_swish, 1f, 0f), "swish");
                case SIGMOID -> check(dnnl_post_ops_append_eltwise(po, 1f, dnnl_eltwise_logistic, 0f, 0f), "logistic");
                case RELU -> check(dnnl_post_ops_append_eltwise(po, 1f, dnnl_eltwise_relu, 0f, 0f), "relu");
                case RELU6 -> check(dnnl_post_ops_append_eltwise(po, 1f, dnnl_eltwise_clip, 0f, 6f), "relu6");
                case HARD_SWISH -> check(dnnl_post_ops_append_eltwise(po, 1f, dnnl_eltwise_hardswish, 0f, 0f), "hardswish");
                case TANH -> check(dnnl_post_ops_append_eltwise(po, 1f, dnnl_eltwise_tanh, 0f, 0f), "tanh");
                default -> throw new UnsupportedOperationException("activation " + act + " has no fused kernel in the plan");
            }
        }

        Op op(String name, dnnl_primitive_desc pd) {
            dnnl_primitive p = new dnnl_primitive();
            check(dnnl_primitive_create(p, pd), name);
            Op op = new Op(name, p);
            dnnl_memory_desc_t scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            long sb = dnnl_memory_desc_get_size(scratch);
            if (sb > 0) {
                // copy the descriptor: the query result belongs to the primitive descriptor
                op.scratchDesc = copy(scratch);
                op.scratchBytes = sb;
                scratchBytes = Math.max(scratchBytes, sb);
            }
            ops.add(op);
            opCounts.merge(name, 1, Integer::sum);
            return op;
        }

        void arena(Op op, int kind, dnnl_memory_desc_t desc, Value v) {
            op.argList.add(new Arg(kind, desc, Space.ARENA, v, 0));
            touchValue(v, ops.size() - 1);
        }

        void touchValue(Value v, int opIndex) {
            v.touch(opIndex);
        }

        Value value(long bytes) {
            Value v = new Value(bytes);
            values.add(v);
            return v;
        }

        long bytes(long n, long c, long h, long w) {
            return n * c * h * w * dtBytes;
        }

        /** Reserves space in the weights buffer for {@code values} (packed into {@code packed}); returns the offset. */
        long weights(dnnl_memory_desc_t plain, float[] values, dnnl_memory_desc_t packed) {
            long offset = weightBytes;
            weightBytes = align(weightBytes + dnnl_memory_desc_get_size(packed));
            jobs.add(new WeightJob(plain, values, packed, offset));
            return offset;
        }

        /** Fills the weights buffer: plain values reordered (and converted) into each packed layout. */
        void packWeights(long base, dnnl_stream stream) {
            int max = 0;
            for (WeightJob j : jobs) max = Math.max(max, j.values().length);
            FloatPointer plain = new FloatPointer(Math.max(1, max));
            try {
                for (WeightJob j : jobs) {
                    if (j.plain() == null) {
                        new FloatPointer(new Address(base + j.offset())).capacity(j.values().length).put(j.values());
                        continue;
                    }
                    plain.position(0).put(j.values());
                    dnnl_primitive_desc pd = new dnnl_primitive_desc();
                    check(dnnl_reorder_primitive_desc_create(pd, j.plain(), engine, j.packed(), engine, null), "weights reorder");
                    dnnl_primitive p = new dnnl_primitive();
                    check(dnnl_primitive_create(p, pd), "weights reorder primitive");
                    dnnl_memory from = new dnnl_memory();
                    dnnl_memory to = new dnnl_memory();
                    check(dnnl_memory_create(from, j.plain(), engine, new Address(plain.address())), "memory");
                    check(dnnl_memory_create(to, j.packed(), engine, new Address(base + j.offset())), "memory");
                    dnnl_exec_arg_t args = new dnnl_exec_arg_t(2);
                    args.position(0).arg(DNNL_ARG_FROM).memory(from);
                    args.position(1).arg(DNNL_ARG_TO).memory(to);
                    check(dnnl_primitive_execute(p, stream, 2, args.position(0)), "weights reorder");
                    check(dnnl_stream_wait(stream), "stream wait");
                    dnnl_memory_destroy(from);
                    dnnl_memory_destroy(to);
                    dnnl_primitive_destroy(p);
                    dnnl_primitive_desc_destroy(pd);
                    args.deallocate();
                }
            } finally {
                plain.deallocate();
            }
        }

        /** A copy of a descriptor that belongs to a primitive descriptor (which is destroyed after use). */
        static dnnl_memory_desc_t copy(dnnl_memory_desc_t d) {
            dnnl_memory_desc_t c = new dnnl_memory_desc_t();
            Pointer.memcpy(c, d, c.sizeof());
            return c;
        }

        static dnnl_primitive_attr attributes() {
            dnnl_primitive_attr attr = new dnnl_primitive_attr();
            check(dnnl_primitive_attr_create(attr), "attributes");
            check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode");
            return attr;
        }

        static dnnl_memory_desc_t desc(long[] dims, int type, int tag) {
            dnnl_memory_desc_t d = new dnnl_memory_desc_t();
            check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, type, tag), "memory descriptor " + java.util.Arrays.toString(dims));
            return d;
        }

        static String implementation(dnnl_primitive_desc pd) {
            PointerPointer<BytePointer> name = new PointerPointer<>(1);
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "implementation query");
            return name.get(BytePointer.class, 0).getString();
        }
    }
}
