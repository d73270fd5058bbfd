package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.Tensor;

/** Convolution and pooling kernels (NHWC). TODO(helper): implement. */
final class CpuConvolution {
    private CpuConvolution() {
    }

    static void conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out) {
        throw new UnsupportedOperationException("conv2d");
    }

    static void conv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB) {
        throw new UnsupportedOperationException("conv2dBackward");
    }

    static void depthwiseConv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out) {
        throw new UnsupportedOperationException("depthwiseConv2d");
    }

    static void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB) {
        throw new UnsupportedOperationException("depthwiseConv2dBackward");
    }

    static void pool2d(Tensor x, boolean max, ConvGeometry g, Tensor out) {
        throw new UnsupportedOperationException("pool2d");
    }

    static void pool2dBackward(Tensor x, boolean max, ConvGeometry g, Tensor gradOut, Tensor gradX) {
        throw new UnsupportedOperationException("pool2dBackward");
    }
}
