package dev.efficientnet.models.export;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Block;
import dev.efficientnet.layers.Conv2d;
import dev.efficientnet.layers.ConvBnAct;
import dev.efficientnet.layers.FusedMBConv;
import dev.efficientnet.layers.Linear;
import dev.efficientnet.layers.MBConv;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.SqueezeExcite;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.TensorLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an {@link EfficientNet} as an ONNX model (decision D34), with this library's own
 * protobuf writer: opset {@value #OPSET}, IR version {@value #IR_VERSION}, input {@code input}
 * {@code [batch, C, H, W]} float32 with a dynamic batch dimension, output {@code logits}
 * {@code [batch, classes]} (pooled features when the model has no classifier).
 *
 * <p>Each batch norm is folded into its convolution (weights scaled by {@code γ/√(var+ε)}, bias
 * {@code β − mean·γ/√(var+ε)}, computed in double). SiLU is {@code Sigmoid·Mul}, ReLU6 {@code Clip(0, 6)};
 * squeeze-excite is {@code GlobalAveragePool → Conv → act → Conv → Sigmoid → Mul}; residuals
 * are {@code Add}; the head ends in {@code GlobalAveragePool → Flatten → Gemm}. Padding is written
 * into each {@code Conv}'s {@code pads} for the export's fixed input size, so TF SAME padding (which
 * depends on the input size, and is asymmetric for stride 2 on even sizes) is exact: the height and
 * width are therefore fixed at export time, only the batch is dynamic.
 */
public final class OnnxExport {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxExport.class);
    /** The operator set the graph is written for. */
    public static final int OPSET = 17;
    /** The ONNX IR version written (IR 8 goes with opset 17). */
    public static final int IR_VERSION = 8;
    /** Name of the graph input. */
    public static final String INPUT = "input";
    /** Name of the graph output. */
    public static final String OUTPUT = "logits";

    private static final int FLOAT = 1;
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private final Protobuf graph = new Protobuf();
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    private int nodes;
    private long parameters;

    private OnnxExport() {
    }

    /**
     * Writes {@code model} (its current weights; eval semantics) for inputs of {@code height ×
     * width} to {@code file}, atomically (a temporary file in the same folder, then a move).
     */
    public static void write(EfficientNet model, int height, int width, Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        Protobuf m = build(model, height, width);
        Path abs = file.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                m.writeTo(out);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The serialized ONNX model (see {@link #write}). */
    public static byte[] toBytes(EfficientNet model, int height, int width) {
        return build(model, height, width).toByteArray();
    }

    private static Protobuf build(EfficientNet model, int height, int width) {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (height < 1 || width < 1) throw new IllegalArgumentException("input size must be >= 1, got " + height + "x" + width);
        OnnxExport e = new OnnxExport();
        ModelSpec spec = model.spec();
        String y = e.graphBody(model, height, width);
        int outDim = model.head().classifier() != null ? model.head().classifier().outFeatures() : model.head().features();
        Protobuf g = e.graph;
        g.string(2, spec.name());
        g.message(11, valueInfo(INPUT, new Object[]{"batch", spec.inChannels(), height, width}));
        g.message(12, valueInfo(y, new Object[]{"batch", outDim}));
        Protobuf m = new Protobuf();
        m.varint(1, IR_VERSION);
        m.string(2, "efficientnet-java");
        m.string(3, "1");
        m.message(7, g);
        m.message(8, new Protobuf().string(1, "").varint(2, OPSET));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("preset", spec.name());
        meta.put("width_mult", Double.toString(spec.widthMult()));
        meta.put("depth_mult", Double.toString(spec.depthMult()));
        meta.put("num_classes", Integer.toString(spec.numClasses()));
        meta.put("input_size", height + "x" + width);
        meta.put("mean", spec.preprocessing().mean().toString());
        meta.put("std", spec.preprocessing().std().toString());
        for (Map.Entry<String, String> kv : meta.entrySet())
            m.message(14, new Protobuf().string(1, kv.getKey()).string(2, kv.getValue()));
        LOG.info("ONNX graph of {} at {}x{}: {} nodes, {} parameters (BN folded), {} bytes", spec.name(), height, width,
                e.nodes, e.parameters, m.size());
        return m;
    }

    // ---- the network ---------------------------------------------------------------------------

    private String graphBody(EfficientNet model, int h, int w) {
        int[] hw = {h, w};
        String x = convBnAct(model.stem(), INPUT, hw, "stem");
        int index = 0;
        for (Block b : model.blocks()) {
            String prefix = "blocks." + index++;
            String in = x;
            if (b instanceof MBConv || b instanceof FusedMBConv) {
                for (Map.Entry<String, Module> c : b.children().entrySet()) {
                    Module m = c.getValue();
                    if (m instanceof ConvBnAct cba) x = convBnAct(cba, x, hw, prefix + "." + c.getKey());
                    else if (m instanceof SqueezeExcite se) x = squeezeExcite(se, model.stem().activation(), x, prefix + ".se");
                    else if (!(m instanceof dev.efficientnet.layers.DropPath))
                        throw new IllegalStateException("cannot export " + m.getClass().getSimpleName() + " in " + prefix);
                }
            } else {
                throw new IllegalStateException("cannot export block type " + b.getClass().getSimpleName());
            }
            if (b.hasResidual()) x = node("Add", prefix + ".add", new String[]{x, in});
        }
        Module head = model.head();
        Conv2d conv = (Conv2d) head.child("conv");
        BatchNorm2d bn = (BatchNorm2d) head.child("bn");
        x = conv(conv, bn, x, hw, "head.conv");
        x = activation(model.stem().activation(), x, "head.act");
        x = node("GlobalAveragePool", "head.pool", new String[]{x});
        x = node("Flatten", "head.flatten", new String[]{x}, intAttr("axis", 1));
        Linear cls = model.head().classifier();
        if (cls != null) {
            String wName = initializer("head.classifier.weight", cls.weight().toFloatArray(), cls.outFeatures(), cls.inFeatures());
            String bName = initializer("head.classifier.bias", cls.bias().toFloatArray(), cls.outFeatures());
            x = node("Gemm", "head.classifier", new String[]{x, wName, bName}, intAttr("transB", 1));
        }
        return rename(x, OUTPUT);
    }

    private String convBnAct(ConvBnAct m, String x, int[] hw, String name) {
        String y = conv(m.conv(), m.bn(), x, hw, name + ".conv");
        return activation(m.activation(), y, name + ".act");
    }

    /** A Conv with {@code bn} folded in (or none), padding resolved for the current size; updates {@code hw}. */
    private String conv(Conv2d conv, BatchNorm2d bn, String x, int[] hw, String name) {
        Conv2dOptions o = conv.options();
        int k = conv.kernel();
        int[] pad = o.padding().resolve(hw[0], hw[1], k, k, o.strideH(), o.strideW(), o.dilationH(), o.dilationW());
        int outH = (hw[0] + pad[0] + pad[1] - o.dilationH() * (k - 1) - 1) / o.strideH() + 1;
        int outW = (hw[1] + pad[2] + pad[3] - o.dilationW() * (k - 1) - 1) / o.strideW() + 1;
        int[] nativeShape = conv.weight().shape();     // [kH, kW, in/groups, out], depthwise [kH, kW, C, 1]
        TensorLayout layout = conv.isDepthwise() ? TensorLayout.DEPTHWISE : TensorLayout.CONV;
        float[] wt = layout.toTorch(conv.weight().toFloatArray(), nativeShape);
        int[] torchShape = layout.torchShape(nativeShape);   // [out, in/groups, kH, kW]
        int out = torchShape[0];
        int perOut = wt.length / out;
        double[] bias = new double[out];
        if (conv.bias() != null) {
            float[] b = conv.bias().toFloatArray();
            for (int i = 0; i < out; i++) bias[i] = b[i];
        }
        if (bn != null) {
            Map<String, dev.efficientnet.core.tensor.Tensor> s = bn.stateDict();
            float[] gamma = s.get("weight").toFloatArray();
            float[] beta = s.get("bias").toFloatArray();
            float[] mean = s.get("running_mean").toFloatArray();
            float[] var = s.get("running_var").toFloatArray();
            for (int c = 0; c < out; c++) {
                double scale = gamma[c] / Math.sqrt((double) var[c] + bn.eps());
                for (int i = 0; i < perOut; i++) wt[c * perOut + i] = (float) (wt[c * perOut + i] * scale);
                bias[c] = beta[c] + (bias[c] - mean[c]) * scale;
            }
        }
        float[] fb = new float[out];
        for (int i = 0; i < out; i++) fb[i] = (float) bias[i];
        String wName = initializer(name + ".weight", wt, torchShape);
        String bName = initializer(name + ".bias", fb, out);
        hw[0] = outH;
        hw[1] = outW;
        return node("Conv", name, new String[]{x, wName, bName},
                intsAttr("kernel_shape", k, k), intsAttr("strides", o.strideH(), o.strideW()),
                intsAttr("dilations", o.dilationH(), o.dilationW()),
                // ONNX order: [top, left, bottom, right]
                intsAttr("pads", pad[0], pad[2], pad[1], pad[3]), intAttr("group", o.groups()));
    }

    private String squeezeExcite(SqueezeExcite se, Activation act, String x, String name) {
        int[] one = {1, 1};
        String p = node("GlobalAveragePool", name + ".pool", new String[]{x});
        String r = conv(se.reduce(), null, p, one, name + ".reduce");
        r = activation(act, r, name + ".act");
        String e = conv(se.expand(), null, r, one, name + ".expand");
        String gate = node("Sigmoid", name + ".gate", new String[]{e});
        return node("Mul", name + ".scale", new String[]{x, gate});
    }

    private String activation(Activation act, String x, String name) {
        switch (act) {
            case IDENTITY:
                return x;
            case SILU: {
                String s = node("Sigmoid", name + ".sigmoid", new String[]{x});
                return node("Mul", name, new String[]{x, s});
            }
            case SIGMOID:
                return node("Sigmoid", name, new String[]{x});
            case RELU:
                return node("Relu", name, new String[]{x});
            case RELU6: {
                String lo = scalar(name + ".min", 0f);
                String hi = scalar(name + ".max", 6f);
                return node("Clip", name, new String[]{x, lo, hi});
            }
            case HARD_SWISH:
                return node("HardSwish", name, new String[]{x});
            case HARD_SIGMOID:
                return node("HardSigmoid", name, new String[]{x}, floatAttr("alpha", 1f / 6), floatAttr("beta", 0.5f));
            case TANH:
                return node("Tanh", name, new String[]{x});
            default:
                throw new IllegalStateException("activation " + act + " has no ONNX form here");
        }
    }

    // ---- graph pieces ----------------------------------------------------------------------------

    private String unique(String name) {
        int n = counters.merge(name, 1, Integer::sum);
        return n == 1 ? name : name + "_" + n;
    }

    private String node(String op, String name, String[] inputs, Protobuf... attributes) {
        String out = unique(name);
        Protobuf n = new Protobuf();
        for (String i : inputs) n.string(1, i);
        n.string(2, out);
        n.string(3, out);
        n.string(4, op);
        for (Protobuf a : attributes) n.message(5, a);
        graph.message(1, n);
        nodes++;
        return out;
    }

    private String rename(String x, String to) {
        node("Identity", to, new String[]{x});
        return to;
    }

    private String scalar(String name, float value) {
        return tensor(name, new float[]{value}, new int[0]);
    }

    private String initializer(String name, float[] data, int... dims) {
        return tensor(name, data, dims);
    }

    private String tensor(String name, float[] data, int[] dims) {
        String n = unique(name);
        Protobuf t = new Protobuf();
        for (int d : dims) t.varint(1, d);
        t.varint(2, FLOAT);
        t.string(8, n);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        t.bytes(9, buf.array());
        graph.message(5, t);
        parameters += data.length;
        return n;
    }

    private static Protobuf valueInfo(String name, Object[] dims) {
        Protobuf shape = new Protobuf();
        for (Object d : dims) {
            Protobuf dim = new Protobuf();
            if (d instanceof Integer i) dim.varint(1, i);
            else dim.string(2, (String) d);
            shape.message(1, dim);
        }
        Protobuf tensor = new Protobuf().varint(1, FLOAT).message(2, shape);
        Protobuf type = new Protobuf().message(1, tensor);
        return new Protobuf().string(1, name).message(2, type);
    }

    private static Protobuf intAttr(String name, long v) {
        return new Protobuf().string(1, name).varint(3, v).varint(20, ATTR_INT);
    }

    private static Protobuf floatAttr(String name, float v) {
        return new Protobuf().string(1, name).float32(2, v).varint(20, ATTR_FLOAT);
    }

    private static Protobuf intsAttr(String name, int... v) {
        Protobuf a = new Protobuf().string(1, name);
        for (int i : v) a.varint(8, i);
        return a.varint(20, ATTR_INTS);
    }
}
