package dev.efficientnet.core.ops;

import dev.efficientnet.core.autograd.GradCheck;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormBatchNormTest {
    static final double TOL = 1e-6;
    final Rng rng = new Rng(5);

    Tensor rand(double lo, double hi, int... shape) {
        return rng.uniformTensor(DType.FLOAT64, lo, hi, shape).requiresGrad(true);
    }

    // ---- gradients ----------------------------------------------------------------------------------

    @Test
    void trainingModeGradientsToXGammaBeta() {
        GradCheck.assertGradients("bn train [7,3]", TOL,
                in -> Normalization.batchNorm(in[0], in[1], in[2], null, null, true, 0.1, 1e-5),
                rand(-2, 3, 7, 3), rand(0.5, 1.5, 3), rand(-1, 1, 3));
        GradCheck.assertGradients("bn train NHWC [2,3,5,4]", TOL,
                in -> Normalization.batchNorm(in[0], in[1], in[2], null, null, true, 0.1, 1e-3),
                rand(-2, 3, 2, 3, 5, 4), rand(0.5, 1.5, 4), rand(-1, 1, 4));
        // followed by a non-linearity so the gradient reaching BN is not just the random contraction
        GradCheck.assertGradients("bn train + silu", TOL,
                in -> Activations.silu(Normalization.batchNorm(in[0], in[1], in[2], null, null, true, 0.1, 1e-5)),
                rand(-1, 1, 3, 2, 3, 5), rand(0.5, 1.5, 5), rand(-1, 1, 5));
    }

    @Test
    void trainingModeWithoutAffineAndWithRunningStats() {
        Tensor rm = Tensor.zeros(DType.FLOAT64, 3);
        Tensor rv = Tensor.full(DType.FLOAT64, 1, 3);
        GradCheck.assertGradients("bn train no affine", TOL,
                in -> Normalization.batchNorm(in[0], null, null, rm, rv, true, 0.1, 1e-5), rand(-2, 2, 5, 3));
        GradCheck.assertGradients("bn train gamma only", TOL,
                in -> Normalization.batchNorm(in[0], in[1], null, rm, rv, true, 0.1, 1e-5), rand(-2, 2, 2, 3, 3), rand(0.5, 2, 3));
    }

    @Test
    void evalAndFrozenModeGradients() {
        Tensor rm = rng.uniformTensor(DType.FLOAT64, -1, 1, 4);
        Tensor rv = rng.uniformTensor(DType.FLOAT64, 0.5, 2, 4);
        GradCheck.assertGradients("bn eval NHWC [2,3,5,4]", TOL,
                in -> Normalization.batchNorm(in[0], in[1], in[2], rm, rv, false, 0.1, 1e-5),
                rand(-2, 2, 2, 3, 5, 4), rand(0.5, 1.5, 4), rand(-1, 1, 4));
        GradCheck.assertGradients("bn frozen", TOL,
                in -> Normalization.frozenBatchNorm(in[0], in[1], in[2], rm, rv, 1e-3),
                rand(-2, 2, 3, 4), rand(0.5, 1.5, 4), rand(-1, 1, 4));
        GradCheck.assertGradients("bn eval x only", TOL,
                in -> Normalization.batchNorm(in[0], null, null, rm, rv, false, 0.1, 1e-5), rand(-2, 2, 9, 4));
    }

    // ---- values -------------------------------------------------------------------------------------

    /** Reference: per-channel mean, biased var, normalized output (double). */
    static double[][] reference(double[] x, int c, double[] gamma, double[] beta, double eps) {
        int m = x.length / c;
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int r = 0; r < m; r++) for (int j = 0; j < c; j++) mean[j] += x[r * c + j] / m;
        for (int r = 0; r < m; r++) for (int j = 0; j < c; j++) var[j] += Math.pow(x[r * c + j] - mean[j], 2) / m;
        double[] y = new double[x.length];
        for (int r = 0; r < m; r++)
            for (int j = 0; j < c; j++)
                y[r * c + j] = (x[r * c + j] - mean[j]) / Math.sqrt(var[j] + eps) * gamma[j] + beta[j];
        return new double[][]{mean, var, y};
    }

    @Test
    void trainingForwardAndRunningStatUpdate() {
        int c = 3;
        double[] xv = rng.uniform(2 * 5 * 4 * c, -3, 5);
        double[] gamma = {0.5, 1.5, -2};
        double[] beta = {0.1, 0, -0.3};
        double[][] ref = reference(xv, c, gamma, beta, 1e-5);
        int m = xv.length / c;
        double[] rm0 = {0.2, -0.1, 0.4};
        double[] rv0 = {1.0, 2.0, 0.5};
        Tensor rm = Tensor.of(rm0, c);
        Tensor rv = Tensor.of(rv0, c);
        Tensor y = Normalization.batchNorm(Tensor.of(xv, 2, 5, 4, c), Tensor.of(gamma, c), Tensor.of(beta, c), rm, rv, true, 0.1, 1e-5);
        assertArrayEquals(ref[2], y.toDoubleArray(), 1e-12);
        double[] expMean = new double[c];
        double[] expVar = new double[c];
        for (int j = 0; j < c; j++) {
            expMean[j] = 0.9 * rm0[j] + 0.1 * ref[0][j];
            expVar[j] = 0.9 * rv0[j] + 0.1 * ref[1][j] * m / (m - 1);   // unbiased batch variance
        }
        assertArrayEquals(expMean, rm.toDoubleArray(), 1e-12);
        assertArrayEquals(expVar, rv.toDoubleArray(), 1e-12);

        // eval uses (and does not change) the running stats
        double[] rmNow = rm.toDoubleArray();
        double[] rvNow = rv.toDoubleArray();
        Tensor e = Normalization.batchNorm(Tensor.of(xv, m, c), Tensor.of(gamma, c), Tensor.of(beta, c), rm, rv, false, 0.1, 1e-5);
        double[] ev = e.toDoubleArray();
        for (int r = 0; r < m; r++)
            for (int j = 0; j < c; j++)
                assertEquals((xv[r * c + j] - rmNow[j]) / Math.sqrt(rvNow[j] + 1e-5) * gamma[j] + beta[j], ev[r * c + j], 1e-12);
        assertArrayEquals(rmNow, rm.toDoubleArray(), 0);
        assertArrayEquals(rvNow, rv.toDoubleArray(), 0);
        // frozen BN: same numbers as eval, running stats untouched
        assertArrayEquals(ev, Normalization.frozenBatchNorm(Tensor.of(xv, m, c), Tensor.of(gamma, c), Tensor.of(beta, c), rm, rv, 1e-5).toDoubleArray(), 0);
        assertArrayEquals(rmNow, rm.toDoubleArray(), 0);
    }

    @Test
    void evalWithoutRunningStatsUsesBatchStatistics() {
        double[] xv = rng.uniform(6 * 2, -1, 1);
        double[][] ref = reference(xv, 2, new double[]{1, 1}, new double[]{0, 0}, 1e-5);
        assertArrayEquals(ref[2], Normalization.batchNorm(Tensor.of(xv, 6, 2), null, null, null, null, false, 0.1, 1e-5).toDoubleArray(), 1e-12);
    }

    @Test
    void constantStatsBackwardIsDyTimesGammaInvStd() {
        Tensor rm = Tensor.of(new double[]{1, -1}, 2);
        Tensor rv = Tensor.of(new double[]{4, 0.25}, 2);
        Tensor x = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
        Tensor gamma = Tensor.of(new double[]{2, 3}, 2).requiresGrad(true);
        Tensor beta = Tensor.of(new double[]{0, 0}, 2).requiresGrad(true);
        Normalization.batchNorm(x, gamma, beta, rm, rv, false, 0.1, 0).sum().backward();
        assertArrayEquals(new double[]{1, 6, 1, 6, 1, 6}, x.grad().toDoubleArray(), 1e-12);
        // dgamma = sum((x - m) / sqrt(v)) ; dbeta = 3
        assertArrayEquals(new double[]{(0 + 2 + 4) / 2.0, (3 + 5 + 7) / 0.5}, gamma.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[]{3, 3}, beta.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void float32StatisticsAreAccurateWithLargeOffsets() {
        // values around 1000 with a spread of 0.01: the naive E[x^2]-E[x]^2 in float32 would lose everything
        int c = 5;
        int m = 4099;
        double[] xv = new double[m * c];
        double[] noise = rng.uniform(m * c, -0.01, 0.01);
        float[] xf = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            xf[i] = (float) (1000 + (i % c) + noise[i]);
            xv[i] = xf[i];
        }
        double[][] ref = reference(xv, c, new double[c], new double[c], 0);
        Tensor mean = Tensor.empty(DType.FLOAT32, c);
        Tensor var = Tensor.empty(DType.FLOAT32, c);
        Backend.current().batchNormStats(Tensor.of(xf, m, c), mean, var);
        float[] mu = mean.toFloatArray();
        float[] v = var.toFloatArray();
        for (int j = 0; j < c; j++) {
            assertEquals(ref[0][j], mu[j], 1e-4);
            assertEquals(ref[1][j], v[j], 1e-3 * ref[1][j], "var channel " + j);
        }
    }

    @Test
    void kernelsMatchNd4jFloat32() {
        int n = 3, h = 7, w = 5, c = 19;
        int len = n * h * w * c;
        float[] xf = floats(rng.uniform(len, -2, 3));
        float[] gf = floats(rng.uniform(c, 0.5, 1.5));
        float[] bf = floats(rng.uniform(c, -1, 1));
        float[] dyf = floats(rng.uniform(len, -1, 1));
        double eps = 1e-3;
        Tensor x = Tensor.of(xf, n, h, w, c);
        Tensor gamma = Tensor.of(gf, c);
        Tensor beta = Tensor.of(bf, c);
        Tensor dy = Tensor.of(dyf, n, h, w, c);
        Backend be = Backend.current();
        Tensor mean = Tensor.empty(DType.FLOAT32, c);
        Tensor var = Tensor.empty(DType.FLOAT32, c);
        be.batchNormStats(x, mean, var);
        Tensor y = Tensor.empty(DType.FLOAT32, n, h, w, c);
        be.batchNormApply(x, mean, var, gamma, beta, eps, y);
        Tensor dx = Tensor.empty(DType.FLOAT32, n, h, w, c);
        Tensor dg = Tensor.empty(DType.FLOAT32, c);
        Tensor db = Tensor.empty(DType.FLOAT32, c);
        be.batchNormBackward(x, mean, var, gamma, dy, eps, true, dx, dg, db);

        long[] shape = {n, h, w, c};
        INDArray ndX = Nd4j.create(xf, shape, 'c');
        INDArray ndMean = ndX.mean(0, 1, 2);
        INDArray ndVar = ndX.var(false, 0, 1, 2);
        assertArrayEquals(ndMean.toFloatVector(), mean.toFloatArray(), 1e-5f);
        assertArrayEquals(ndVar.toFloatVector(), var.toFloatArray(), 1e-5f);
        INDArray ndG = Nd4j.create(gf, new long[]{c}, 'c');
        INDArray ndB = Nd4j.create(bf, new long[]{c}, 'c');
        INDArray ndOut = Nd4j.create(DataType.FLOAT, shape);
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(ndX, ndMean, ndVar, ndG, ndB).addOutputs(ndOut)
                .addIntegerArguments(1, 1, 3).addFloatingPointArguments(eps).build());
        assertArrayEquals(ndOut.data().asFloat(), y.toFloatArray(), 1e-5f);

        INDArray ndDy = Nd4j.create(dyf, shape, 'c');
        INDArray gI = Nd4j.create(DataType.FLOAT, shape);
        INDArray gM = Nd4j.create(DataType.FLOAT, c);
        INDArray gV = Nd4j.create(DataType.FLOAT, c);
        INDArray gG = Nd4j.create(DataType.FLOAT, c);
        INDArray gB = Nd4j.create(DataType.FLOAT, c);
        Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp").addInputs(ndX, ndMean, ndVar, ndG, ndB, ndDy)
                .addOutputs(gI, gM, gV, gG, gB).addIntegerArguments(1, 1, 3).addFloatingPointArguments(eps).build());
        assertArrayEquals(gI.data().asFloat(), dx.toFloatArray(), 2e-5f);
        assertArrayEquals(gG.toFloatVector(), dg.toFloatArray(), 2e-4f);
        assertArrayEquals(gB.toFloatVector(), db.toFloatArray(), 2e-4f);
    }

    @Test
    void float32AndFloat64PathsAgree() {
        int m = 301, c = 37;   // odd sizes, more rows than one block
        double[] xv = rng.uniform(m * c, -2, 2);
        double[] dyv = rng.uniform(m * c, -1, 1);
        double[] gv = rng.uniform(c, 0.5, 1.5);
        for (boolean batch : new boolean[]{true, false}) {
            double[][] d = runKernels(DType.FLOAT64, xv, dyv, gv, m, c, batch);
            double[][] f = runKernels(DType.FLOAT32, xv, dyv, gv, m, c, batch);
            for (int k = 0; k < d.length; k++) assertArrayEquals(d[k], f[k], 5e-5, "output " + k + " batch " + batch);
        }
    }

    /** Big enough for 16 parallel reduction chunks and more than 64 float blocks per chunk. */
    @Test
    void float32KernelsAtMultiChunkSizeMatchDoubleReference() {
        int m = 1_100_000, c = 4;
        float[] xf = floats(rng.uniform(m * c, -1, 3));
        float[] gf = floats(rng.uniform(m * c, -1, 1));
        double[] mean = new double[c], var = new double[c], sg = new double[c], sgx = new double[c];
        for (int i = 0; i < xf.length; i++) mean[i % c] += xf[i];
        for (int j = 0; j < c; j++) mean[j] /= m;
        for (int i = 0; i < xf.length; i++) {
            double d = xf[i] - mean[i % c];
            var[i % c] += d * d / m;
            sg[i % c] += gf[i];
            sgx[i % c] += gf[i] * d;
        }
        Tensor x = Tensor.of(xf, m, c);
        Tensor dy = Tensor.of(gf, m, c);
        Backend be = Backend.current();
        Tensor tm = Tensor.empty(DType.FLOAT32, c);
        Tensor tv = Tensor.empty(DType.FLOAT32, c);
        be.batchNormStats(x, tm, tv);
        assertArrayEquals(mean, toD(tm.toFloatArray()), 1e-6);
        assertArrayEquals(var, toD(tv.toFloatArray()), 1e-6);
        Tensor dg = Tensor.empty(DType.FLOAT32, c);
        Tensor db = Tensor.empty(DType.FLOAT32, c);
        Tensor dx = Tensor.empty(DType.FLOAT32, m, c);
        Tensor exactMean = Tensor.of(floats(mean), c);
        Tensor exactVar = Tensor.of(floats(var), c);
        be.batchNormBackward(x, exactMean, exactVar, null, dy, 0, true, dx, dg, db);
        double[] dgRef = new double[c];
        for (int j = 0; j < c; j++) dgRef[j] = sgx[j] / Math.sqrt((float) var[j]);
        assertArrayEquals(sg, toD(db.toFloatArray()), 1e-8 * m);
        assertArrayEquals(dgRef, toD(dg.toFloatArray()), 1e-8 * m);
        float[] dxv = dx.toFloatArray();
        for (int i : new int[]{0, 7, 1234567, m * c - 1}) {
            int j = i % c;
            double inv = 1 / Math.sqrt((float) var[j]);
            double xhat = (xf[i] - (float) mean[j]) * inv;
            double expect = inv / m * (m * gf[i] - sg[j] - xhat * sgx[j] * inv);
            assertEquals(expect, dxv[i], 1e-5, "dx[" + i + "]");
        }
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[][] runKernels(DType t, double[] xv, double[] dyv, double[] gv, int m, int c, boolean batch) {
        Tensor x = Tensor.of(xv, m, c).to(t);
        Tensor dy = Tensor.of(dyv, m, c).to(t);
        Tensor g = Tensor.of(gv, c).to(t);
        Backend be = Backend.current();
        Tensor mean = Tensor.empty(t, c);
        Tensor var = Tensor.empty(t, c);
        be.batchNormStats(x, mean, var);
        Tensor y = Tensor.empty(t, m, c);
        be.batchNormApply(x, mean, var, g, null, 1e-5, y);
        Tensor dx = Tensor.empty(t, m, c);
        Tensor dg = Tensor.empty(t, c);
        Tensor db = Tensor.empty(t, c);
        be.batchNormBackward(x, mean, var, g, dy, 1e-5, batch, dx, dg, db);
        Tensor dxOnly = Tensor.empty(t, m, c);
        be.batchNormBackward(x, mean, var, g, dy, 1e-5, batch, dxOnly, null, null);
        assertArrayEquals(dx.toDoubleArray(), dxOnly.toDoubleArray(), 0);
        return new double[][]{mean.toDoubleArray(), var.toDoubleArray(), y.toDoubleArray(), dx.toDoubleArray(),
                dg.toDoubleArray(), db.toDoubleArray()};
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    // ---- validation ---------------------------------------------------------------------------------

    @Test
    void badArgumentsAreRejected() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 4, 3);
        Tensor c3 = Tensor.zeros(DType.FLOAT64, 3);
        Tensor c2 = Tensor.zeros(DType.FLOAT64, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNorm(x, c2, null, null, null, true, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("gamma"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalization.batchNorm(x, null, null, c3, null, true, 0.1, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> Normalization.batchNorm(x, null, null, null, null, true, 1.5, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> Normalization.batchNorm(x, null, null, null, null, true, 0.1, -1));
        assertThrows(IllegalArgumentException.class, () -> Normalization.batchNorm(x, Tensor.zeros(3), null, null, null, true, 0.1, 1e-5));
        e = assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNorm(Tensor.zeros(DType.FLOAT64, 1, 3), null, null, c3, c3.copy(), true, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("more than 1 value"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalization.frozenBatchNorm(x, null, null, null, null, 1e-5));
    }

    @Test
    @SuppressWarnings("try")
    void noGraphWithoutGrad() {
        Tensor x = rand(-1, 1, 4, 3);
        try (GradMode g = GradMode.disabled()) {
            assertNull(Normalization.batchNorm(x, null, null, null, null, true, 0.1, 1e-5).creator());
        }
    }
}
