package dev.efficientnet.core.ops;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Timing of the element-wise activation kernels on a [16,112,112,96] float32 tensor. Off by default:
 * run with {@code -Defficientnet.bench=true}.
 */
@EnabledIfSystemProperty(named = "efficientnet.bench", matches = "true")
class ActivationTimingTest {

    @Test
    void siluAndSigmoidAt96ChannelsBatch16() {
        Tensor x = new Rng(2).uniformTensor(DType.FLOAT32, -6, 6, 16, 112, 112, 96);
        Tensor g = new Rng(3).uniformTensor(DType.FLOAT32, -1, 1, 16, 112, 112, 96);
        Tensor y = Tensor.empty(DType.FLOAT32, x.shape());
        Tensor gx = Tensor.empty(DType.FLOAT32, x.shape());
        Backend be = Backend.current();
        StringBuilder sb = new StringBuilder("\nelement-wise kernels on [16,112,112,96] float32\n");
        for (UnaryOp op : new UnaryOp[]{UnaryOp.SILU, UnaryOp.SIGMOID, UnaryOp.RELU}) {
            double[] f = NormBatchNormTimingTest.time(2, 7, () -> be.unary(op, x, y));
            double[] b = NormBatchNormTimingTest.time(2, 7, () -> be.unaryGrad(op, x, null, g, gx));
            sb.append(NormBatchNormTimingTest.fmt(op + " forward", f)).append('\n');
            sb.append(NormBatchNormTimingTest.fmt(op + " backward (y not given)", b)).append('\n');
        }
        System.out.println(sb);
        be.unary(UnaryOp.SILU, x, y);
        float xv = x.toFloatArray()[12345];
        assertEquals(xv / (1 + Math.exp(-xv)), y.toFloatArray()[12345], 1e-5);
    }
}
