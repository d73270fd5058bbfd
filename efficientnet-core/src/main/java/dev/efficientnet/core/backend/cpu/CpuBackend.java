package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.BinaryOp;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.backend.ReduceOp;
import dev.efficientnet.core.backend.Storage;
import dev.efficientnet.core.backend.UnaryOp;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CPU backend: ND4J (oneDNN build) for convolutions, GEMM, broadcasting and reductions; Java
 * kernels where ND4J is slow or missing. Buffers allocated inside a
 * {@link dev.efficientnet.core.tensor.MemoryScope} come from a pool keyed by (dtype, length) and go
 * back to it when the scope closes, so a steady-state loop allocates nothing off-heap.
 *
 * <p>Buffers allocated outside any scope are owned by the garbage collector, which does not see
 * their off-heap size; after {@code efficientnet.unscopedGcMb} (default 2048) MiB of them the
 * backend asks for a collection so they cannot pile up unseen.
 */
public final class CpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
    private static final long UNSCOPED_GC_BYTES = Long.getLong("efficientnet.unscopedGcMb", 2048) << 20;

    private final Map<Long, ConcurrentLinkedDeque<INDArray>> pool = new ConcurrentHashMap<>();
    private final AtomicLong pooledBytes = new AtomicLong();
    private final AtomicLong unscopedSinceGc = new AtomicLong();

    /** Creates the backend and loads ND4J's native library. */
    public CpuBackend() {
        OpenMpSetup.configure();
        Nd4j.getEnvironment();
        LOG.debug("CPU backend on ND4J {}", Nd4j.getBackend().getClass().getSimpleName());
    }

    static NdStorage st(Tensor t) {
        return (NdStorage) t.storage();
    }

    /** The tensor as an ND4J array of its shape (shares memory). */
    static INDArray nd(Tensor t) {
        return st(t).view(t.shape());
    }

    private static DataType ndType(DType d) {
        return d == DType.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    }

    // ---- memory -------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, long length, boolean pooled) {
        long bytes = length * dtype.bytes();
        if (pooled) {
            ConcurrentLinkedDeque<INDArray> free = pool.get(key(dtype, length));
            INDArray reused = free == null ? null : free.pollFirst();
            if (reused != null) return new NdStorage(reused, dtype, true);
            pooledBytes.addAndGet(bytes);
        } else if (unscopedSinceGc.addAndGet(bytes) > UNSCOPED_GC_BYTES) {
            unscopedSinceGc.set(0);
            LOG.debug("{} MiB allocated outside any MemoryScope: requesting GC to free off-heap buffers", UNSCOPED_GC_BYTES >> 20);
            System.gc();
        }
        INDArray flat = Nd4j.createUninitializedDetached(ndType(dtype), Math.max(length, 1));
        if (length == 0) flat = Nd4j.create(ndType(dtype), 0);
        return new NdStorage(flat, dtype, pooled);
    }

    private static long key(DType dtype, long length) {
        return length * 2 + dtype.ordinal();
    }

    @Override
    public void release(Storage storage) {
        NdStorage s = (NdStorage) storage;
        if (s.isReleased()) return;
        s.markReleased();
        if (s.pooled) pool.computeIfAbsent(key(s.dtype, s.length()), k -> new ConcurrentLinkedDeque<>()).addFirst(s.flat);
    }

    @Override
    public long bytesAllocated() {
        return pooledBytes.get();
    }

    @Override
    public void write(Storage storage, float[] src) {
        NdStorage s = (NdStorage) storage;
        s.touch();
        if (src.length == 0) return;
        if (s.dtype == DType.FLOAT32) s.flat.data().asNioFloat().put(0, src);
        else {
            double[] d = new double[src.length];
            for (int i = 0; i < d.length; i++) d[i] = src[i];
            s.flat.data().asNioDouble().put(0, d);
        }
    }

    @Override
    public void write(Storage storage, double[] src) {
        NdStorage s = (NdStorage) storage;
        s.touch();
        if (src.length == 0) return;
        if (s.dtype == DType.FLOAT64) s.flat.data().asNioDouble().put(0, src);
        else {
            float[] f = new float[src.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) src[i];
            s.flat.data().asNioFloat().put(0, f);
        }
    }

    @Override
    public float[] readFloats(Storage storage) {
        NdStorage s = (NdStorage) storage;
        float[] out = new float[(int) s.length()];
        if (out.length == 0) return out;
        if (s.dtype == DType.FLOAT32) s.flat.data().asNioFloat().get(0, out);
        else {
            double[] d = readDoubles(storage);
            for (int i = 0; i < out.length; i++) out[i] = (float) d[i];
        }
        return out;
    }

    @Override
    public double[] readDoubles(Storage storage) {
        NdStorage s = (NdStorage) storage;
        double[] out = new double[(int) s.length()];
        if (out.length == 0) return out;
        if (s.dtype == DType.FLOAT64) s.flat.data().asNioDouble().get(0, out);
        else {
            float[] f = new float[out.length];
            s.flat.data().asNioFloat().get(0, f);
            for (int i = 0; i < out.length; i++) out[i] = f[i];
        }
        return out;
    }

    // ---- element-wise -------------------------------------------------------------------------

    @Override
    public void fill(Tensor out, double value) {
        st(out).touch();
        if (out.numel() > 0) st(out).flat.assign(value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        st(dst).touch();
        if (src.numel() > 0) st(dst).flat.assign(st(src).flat);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        String name = switch (op) {
            case ADD -> "add";
            case SUB -> "subtract";
            case MUL -> "multiply";
            case DIV -> "divide";
        };
        if (out.numel() == 0) return;
        st(out).touch();
        if (CpuBroadcast.binary(op, a, b, out)) return;
        Nd4jOps.exec(name, new INDArray[]{nd(a), nd(b)}, new INDArray[]{nd(out)});
    }

    @Override
    public void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out) {
        st(out).touch();
        CpuElementwise.axpby(alpha, st(x), beta, st(y), st(out));
    }

    @Override
    public void affine(Tensor x, double scale, double shift, Tensor out) {
        st(out).touch();
        CpuElementwise.affine(st(x), scale, shift, st(out));
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        st(out).touch();
        CpuElementwise.unary(op, st(x), st(out));
    }

    @Override
    public void unaryGrad(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        CpuElementwise.unaryGrad(op, st(x), y == null ? null : st(y), st(gradOut), st(gradIn));
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        if (axes.length == 0 || x.numel() == out.numel()) {
            copy(x, out);
            return;
        }
        if (x.numel() == 0) {
            fill(out, op == ReduceOp.MEAN ? Double.NaN : 0);
            return;
        }
        if (CpuBroadcast.reduce(op, x, axes, out)) return;
        String name = op == ReduceOp.SUM ? "reduce_sum" : "reduce_mean";
        Nd4jOps.exec(name, new INDArray[]{nd(x)}, new INDArray[]{nd(out)}, axes, null, new boolean[]{true});
    }

    @Override
    public void multiplyAdd(Tensor x, Tensor scale, Tensor shift, Tensor out) {
        if (CpuBroadcast.multiplyAdd(x, scale, shift, out)) return;
        Backend.super.multiplyAdd(x, scale, shift, out);
    }

    @Override
    public void multiplyReduce(Tensor x, Tensor y, int[] axes, Tensor out) {
        if (x.numel() > 0 && axes.length > 0 && CpuBroadcast.reduceProduct(ReduceOp.SUM, x, y, axes, out)) return;
        Backend.super.multiplyReduce(x, y, axes, out);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return CpuElementwise.sumOfSquares(st(x));
    }

    // ---- fused optimizer updates ------------------------------------------------------------------

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor momentumBuf, double lr, double alpha,
                              double momentum, double eps, double wd, boolean decoupled) {
        st(p).touch();
        CpuOptim.rmsProp(p, g, squareAvg, momentumBuf, lr, alpha, momentum, eps, wd, decoupled);
    }

    @Override
    public boolean supportsBf16Convolutions() {
        return DnnlConvolution.bf16Available();
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, Tensor buf, double lr, double momentum, double wd, boolean nesterov) {
        st(p).touch();
        if (momentum != 0) st(buf).touch();
        CpuOptim.sgd(p, g, buf, lr, momentum, wd, nesterov);
    }

    @Override
    public void adamWUpdate(Tensor p, Tensor g, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                            double beta2, double eps, double wd, double bc1, double bc2) {
        st(p).touch();
        CpuOptim.adamW(p, g, expAvg, expAvgSq, lr, beta1, beta2, eps, wd, bc1, bc2);
    }

    // ---- linear algebra and layout -------------------------------------------------------------

    @Override
    public void matmul(Tensor a, boolean transposeA, Tensor b, boolean transposeB, Tensor out) {
        if (a.rank() == 2 && b.rank() == 2) {
            Nd4j.gemm(nd(a), nd(b), nd(out), transposeA, transposeB, 1.0, 0.0);
        } else {
            Nd4jOps.exec("matmul", new INDArray[]{nd(a), nd(b)}, new INDArray[]{nd(out)},
                    transposeA ? 1 : 0, transposeB ? 1 : 0, 0);
        }
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        if (x.numel() == 0) return;
        nd(out).assign(nd(x).permute(perm));
    }

    @Override
    public void concat(Tensor[] inputs, int axis, Tensor out) {
        INDArray o = nd(out);
        long offset = 0;
        for (Tensor t : inputs) {
            int size = t.dim(axis);
            if (size > 0) {
                INDArrayIndex[] idx = allIndices(out.rank());
                idx[axis] = NDArrayIndex.interval(offset, offset + size);
                o.get(idx).assign(nd(t));
            }
            offset += size;
        }
    }

    @Override
    public void slice(Tensor x, int[] begin, Tensor out) {
        if (out.numel() == 0) return;
        nd(out).assign(nd(x).get(box(begin, out.shape())));
    }

    @Override
    public void pad(Tensor x, int[] begin, double value, Tensor out) {
        INDArray o = nd(out);
        o.assign(value);
        if (x.numel() > 0) o.get(box(begin, x.shape())).assign(nd(x));
    }

    private static INDArrayIndex[] allIndices(int rank) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        Arrays.fill(idx, NDArrayIndex.all());
        return idx;
    }

    private static INDArrayIndex[] box(int[] begin, int[] size) {
        INDArrayIndex[] idx = new INDArrayIndex[begin.length];
        for (int d = 0; d < begin.length; d++) idx[d] = NDArrayIndex.interval(begin[d], begin[d] + size[d]);
        return idx;
    }

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        if (x.numel() == 0) return;
        if (log) logSoftmax(x, out);
        else Nd4jOps.exec("softmax", new INDArray[]{nd(x)}, new INDArray[]{nd(out)}, x.rank() - 1);
    }

    /**
     * Row-wise {@code x - max - log(sum(exp(x - max)))} in double precision. ND4J's
     * {@code log_softmax} evaluates {@code log(softmax(x))}, which underflows to -inf once a logit
     * gap exceeds ~104 in float32 and turns cross-entropy into inf or NaN. The classifier output
     * this runs on is small ([N, classes]).
     */
    private void logSoftmax(Tensor x, Tensor out) {
        int k = x.dim(-1);
        double[] v = readDoubles(st(x));
        for (int o = 0; o < v.length; o += k) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, v[o + j]);
            if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) max = 0;
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(v[o + j] - max);
            double lse = max + Math.log(sum);
            for (int j = 0; j < k; j++) v[o + j] -= lse;
        }
        write(st(out), v);
    }

    // ---- convolution, pooling, batch norm --------------------------------------------------------

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out) {
        CpuConvolution.conv2d(x, w, bias, g, out);
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB) {
        CpuConvolution.conv2dBackward(x, w, gradOut, g, gradX, gradW, gradB);
    }

    @Override
    public void depthwiseConv2d(Tensor x, Tensor w, Tensor bias, ConvGeometry g, Tensor out) {
        CpuConvolution.depthwiseConv2d(x, w, bias, g, out);
    }

    @Override
    public void convBatchNormActivation(Tensor x, Tensor w, ConvGeometry g, boolean depthwise, Tensor mean, Tensor var,
                                        Tensor gamma, Tensor beta, double eps, UnaryOp act, Tensor out) {
        if (!DnnlConvolution.applies(x) || DnnlConvolution.postOp(act) < 0) {
            Backend.super.convBatchNormActivation(x, w, g, depthwise, mean, var, gamma, beta, eps, act, out);
            return;
        }
        int c = out.dim(3);
        float[] m = mean.toFloatArray(), v = var.toFloatArray();
        float[] ga = gamma == null ? null : gamma.toFloatArray(), be = beta == null ? null : beta.toFloatArray();
        float[] scale = new float[c], shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = (ga == null ? 1.0 : ga[i]) / Math.sqrt(v[i] + eps);
            scale[i] = (float) s;
            shift[i] = (float) ((be == null ? 0.0 : be[i]) - m[i] * s);
        }
        DnnlConvolution.forwardScaled(x, w, Tensor.of(scale, c), Tensor.of(shift, c), g, depthwise, act, out);
    }

    @Override
    public void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW, Tensor gradB) {
        CpuConvolution.depthwiseConv2dBackward(x, w, gradOut, g, gradX, gradW, gradB);
    }

    @Override
    public void pool2d(Tensor x, boolean max, ConvGeometry g, Tensor out) {
        CpuConvolution.pool2d(x, max, g, out);
    }

    @Override
    public void pool2dBackward(Tensor x, boolean max, ConvGeometry g, Tensor gradOut, Tensor gradX) {
        CpuConvolution.pool2dBackward(x, max, g, gradOut, gradX);
    }

    @Override
    public void batchNormStats(Tensor x, Tensor mean, Tensor var) {
        CpuBatchNorm.stats(x, mean, var);
    }

    @Override
    public void batchNormApply(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps, Tensor out) {
        CpuBatchNorm.apply(x, mean, var, gamma, beta, eps, out);
    }

    @Override
    public void batchNormActivation(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps,
                                    UnaryOp act, Tensor out) {
        CpuBatchNorm.applyActivation(x, mean, var, gamma, beta, eps, act, out);
    }

    @Override
    public void batchNormActivationBackward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta,
                                            Tensor gradOut, double eps, boolean batchStats, UnaryOp act,
                                            Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        CpuBatchNorm.backward(x, mean, var, gamma, beta, gradOut, eps, batchStats, act, gradX, gradGamma, gradBeta);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor gradOut, double eps,
                                  boolean batchStats, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        CpuBatchNorm.backward(x, mean, var, gamma, gradOut, eps, batchStats, gradX, gradGamma, gradBeta);
    }
}
