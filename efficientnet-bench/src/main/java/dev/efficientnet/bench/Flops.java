package dev.efficientnet.bench;

import java.util.Map;

/**
 * Floating-point operations per benchmark invocation (FLOP = 2 × multiply-accumulate), for the
 * GFLOP/s columns. Only convolution work is counted: batch norm, activations, pooling, the SE
 * products and the optimizer are not, so the block and model figures are lower bounds of the
 * work done. A backward pass counts 2× the forward convolution work (input and weight
 * gradients), 1× for the stem (no input gradient); a whole training step counts 3× its forward
 * convolutions. NaN where a FLOP rate says nothing (memory-bound ops: batch norm, SiLU, SE).
 */
public final class Flops {
    private Flops() {
    }

    /**
     * FLOPs of one invocation.
     *
     * @param benchmark the JMH benchmark name, {@code package.Class.method}
     * @param params    the JMH parameters of the run
     */
    public static double perInvocation(String benchmark, Map<String, String> params) {
        String[] parts = benchmark.split("\\.");
        String cls = parts.length >= 2 ? parts[parts.length - 2] : "";
        String method = parts[parts.length - 1];
        boolean withBackward = method.endsWith("Backward") || method.equals("trainStep");
        int batch = params.containsKey("batch") ? Integer.parseInt(params.get("batch")) : 1;
        double forward;
        double backwardFactor = 2;
        switch (cls) {
            case "StemConvBench":
                forward = 2.0 * batch * StemConvBench.LAYER.macsPerImage();
                backwardFactor = 1;
                break;
            case "DepthwiseConvBench":
                forward = 2.0 * batch * ConvCase.depthwise(params.get("shape")).macsPerImage();
                break;
            case "PointwiseConvBench":
                forward = 2.0 * batch * ConvCase.pointwise(params.get("shape")).macsPerImage();
                break;
            case "MBConvBench":
                forward = 2.0 * batch * MBConvBench.MACS_PER_IMAGE;
                break;
            case "FusedMBConvBench":
                forward = 2.0 * batch * FusedMBConvBench.MACS_PER_IMAGE;
                break;
            case "ModelEvalBench":
            case "ModelTrainBench":
                forward = 2.0 * ModelCase.parse(params.get("config")).macs();
                break;
            default:
                return Double.NaN;
        }
        return withBackward ? forward * (1 + backwardFactor) : forward;
    }
}
