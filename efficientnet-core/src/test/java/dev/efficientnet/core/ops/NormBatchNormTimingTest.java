package dev.efficientnet.core.ops;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timing of the Java batch-norm kernels at batch 16, 96 channels @ 112x112, float32, against ND4J's
 * batchnorm_bp. Off by default (slow, machine dependent): run with {@code -Defficientnet.bench=true}.
 */
@EnabledIfSystemProperty(named = "efficientnet.bench", matches = "true")
class NormBatchNormTimingTest {

    interface Body {
        void run();
    }

    static double[] time(int warmup, int reps, Body b) {
        for (int i = 0; i < warmup; i++) b.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            b.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return new double[]{t[reps / 2], t[0]};
    }

    static String fmt(String name, double[] t) {
        return String.format("%-40s median %8.2f ms  best %8.2f ms", name, t[0], t[1]);
    }

    @Test
    @SuppressWarnings("try")
    void batch16Channels96At112() {
        int n = 16, h = 112, w = 112, c = 96;
        Rng rng = new Rng(1);
        Tensor x = rng.uniformTensor(DType.FLOAT32, -2, 3, n, h, w, c);
        Tensor dy = rng.uniformTensor(DType.FLOAT32, -1, 1, n, h, w, c);
        Tensor gamma = rng.uniformTensor(DType.FLOAT32, 0.5, 1.5, c);
        Tensor beta = rng.uniformTensor(DType.FLOAT32, -1, 1, c);
        Backend be = Backend.current();
        Tensor mean = Tensor.empty(DType.FLOAT32, c);
        Tensor var = Tensor.empty(DType.FLOAT32, c);
        Tensor y = Tensor.empty(DType.FLOAT32, n, h, w, c);
        Tensor dx = Tensor.empty(DType.FLOAT32, n, h, w, c);
        Tensor dg = Tensor.empty(DType.FLOAT32, c);
        Tensor db = Tensor.empty(DType.FLOAT32, c);
        StringBuilder report = new StringBuilder("\nbatch norm [16,112,112,96] float32, " + Runtime.getRuntime().availableProcessors() + " cores\n");
        double[] stats = time(3, 15, () -> be.batchNormStats(x, mean, var));
        double[] apply = time(3, 15, () -> be.batchNormApply(x, mean, var, gamma, beta, 1e-3, y));
        double[] bwd = time(3, 15, () -> be.batchNormBackward(x, mean, var, gamma, dy, 1e-3, true, dx, dg, db));
        double[] bwdConst = time(3, 15, () -> be.batchNormBackward(x, mean, var, gamma, dy, 1e-3, false, dx, dg, db));
        report.append(fmt("java stats (mean, var)", stats)).append('\n');
        report.append(fmt("java apply", apply)).append('\n');
        report.append(fmt("java backward, batch stats", bwd)).append('\n');
        report.append(fmt("java backward, constant stats", bwdConst)).append('\n');

        Tensor rm = Tensor.zeros(DType.FLOAT32, c);
        Tensor rv = Tensor.ones(c);
        Tensor xg = x.detach().requiresGrad(true);
        Tensor gg = gamma.detach().requiresGrad(true);
        Tensor bg = beta.detach().requiresGrad(true);
        double[] op = time(2, 10, () -> {
            try (MemoryScope s = MemoryScope.open()) {
                Normalization.batchNorm(xg, gg, bg, rm, rv, true, 0.1, 1e-3).backward(dy);
            }
        });
        report.append(fmt("Normalization.batchNorm train fwd+bwd", op)).append('\n');

        INDArray ndX = Nd4j.create(x.toFloatArray(), new long[]{n, h, w, c}, 'c');
        INDArray ndDy = Nd4j.create(dy.toFloatArray(), new long[]{n, h, w, c}, 'c');
        INDArray ndM = Nd4j.create(mean.toFloatArray(), new long[]{c}, 'c');
        INDArray ndV = Nd4j.create(var.toFloatArray(), new long[]{c}, 'c');
        INDArray ndG = Nd4j.create(gamma.toFloatArray(), new long[]{c}, 'c');
        INDArray ndB = Nd4j.create(beta.toFloatArray(), new long[]{c}, 'c');
        INDArray gI = Nd4j.create(DataType.FLOAT, n, h, w, c);
        INDArray[] small = {Nd4j.create(DataType.FLOAT, c), Nd4j.create(DataType.FLOAT, c), Nd4j.create(DataType.FLOAT, c), Nd4j.create(DataType.FLOAT, c)};
        DynamicCustomOp bp = DynamicCustomOp.builder("batchnorm_bp").addInputs(ndX, ndM, ndV, ndG, ndB, ndDy)
                .addOutputs(gI, small[0], small[1], small[2], small[3]).addIntegerArguments(1, 1, 3).addFloatingPointArguments(1e-3).build();
        double[] nd = time(1, 3, () -> Nd4j.exec(bp));
        report.append(fmt("nd4j batchnorm_bp", nd)).append('\n');
        // cache-resident size: separates compute throughput from memory bandwidth
        Tensor xs = rng.uniformTensor(DType.FLOAT32, -2, 3, 1, 28, 28, 96);
        Tensor dys = rng.uniformTensor(DType.FLOAT32, -1, 1, 1, 28, 28, 96);
        Tensor ys = Tensor.empty(DType.FLOAT32, 1, 28, 28, 96);
        Tensor ms = Tensor.empty(DType.FLOAT32, c);
        Tensor vs = Tensor.empty(DType.FLOAT32, c);
        double elems = xs.numel();
        double[] st = time(200, 400, () -> be.batchNormStats(xs, ms, vs));
        double[] ap = time(200, 400, () -> be.batchNormApply(xs, ms, vs, gamma, beta, 1e-3, ys));
        double[] bw = time(200, 400, () -> be.batchNormBackward(xs, ms, vs, gamma, dys, 1e-3, true, ys, dg, db));
        report.append(String.format("cache-resident [1,28,28,96]: stats %.2f, apply %.2f, backward %.2f ns/element%n",
                st[1] * 1e6 / elems, ap[1] * 1e6 / elems, bw[1] * 1e6 / elems));
        System.out.println(report);

        be.batchNormBackward(x, mean, var, gamma, dy, 1e-3, true, dx, dg, db);
        float[] mine = dx.toFloatArray();
        float[] theirs = gI.data().asFloat();
        double maxDiff = 0;
        for (int i = 0; i < mine.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mine[i] - theirs[i]));
        assertTrue(maxDiff < 1e-4, "max |dx - nd4j dx| = " + maxDiff);
    }
}
