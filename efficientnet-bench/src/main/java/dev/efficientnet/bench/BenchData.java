package dev.efficientnet.bench;

import dev.efficientnet.core.autograd.Node;
import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Padding;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.LayerSettings;

/** Benchmark inputs: long-lived random float32 tensors and the gradient-flow helpers. */
public final class BenchData {
    /** PyTorch-style layer settings (symmetric padding, BN eps 1e-5, momentum 0.1, SiLU). */
    public static final LayerSettings SETTINGS = new LayerSettings(Padding.symmetric(), 1e-5, 0.1, Activation.SILU);

    private static final Tensor SINK_LEAF = MemoryScope.outside(() -> Tensor.zeros(1).requiresGrad(true));

    private BenchData() {
    }

    /** A long-lived (outside any MemoryScope) float32 tensor, uniform in [-1, 1). */
    public static Tensor uniform(long seed, int... shape) {
        return MemoryScope.outside(() -> new Rng(seed).uniformTensor(DType.FLOAT32, -1, 1, shape));
    }

    /** A long-lived float32 parameter (uniform in [-0.1, 0.1), requires grad). */
    public static Tensor parameter(long seed, int... shape) {
        return MemoryScope.outside(() -> new Rng(seed).uniformTensor(DType.FLOAT32, -0.1, 0.1, shape).requiresGrad(true));
    }

    /**
     * {@code x} as an intermediate activation of a network: a non-leaf tensor (same storage) whose
     * gradient is computed by backward, then dropped. A leaf input would instead accumulate its
     * gradient into a persistent buffer (an extra full-size add a real network never does). Call
     * once per invocation, with gradient recording on: backward consumes the link.
     */
    public static Tensor activation(Tensor x) {
        Tensor v = x.detach();
        Node.record(v, new Node(SINK_LEAF) {
            @Override
            protected Tensor[] backward(Tensor gradOutput) {
                return new Tensor[]{null};
            }
        });
        return v;
    }

    /** "3x3" style kernel text to the kernel size. */
    static int kernel(String text, String spec) {
        String[] kk = text.split("x");
        if (kk.length != 2 || !kk[0].equals(kk[1]))
            throw new IllegalArgumentException("expected a square kernel like 3x3 in '" + spec + "', got '" + text + "'");
        return Integer.parseInt(kk[0]);
    }
}
