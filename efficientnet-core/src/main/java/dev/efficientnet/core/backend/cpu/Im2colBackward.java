package dev.efficientnet.core.backend.cpu;

import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Backward pass of a dense NHWC convolution (weights {@code [kH,kW,Cin,Cout]}) as im2col + GEMM,
 * one group of images at a time: the patch matrix {@code col [P, kH*kW*Cin]} of the images is built
 * on the heap and copied into a pooled buffer, then {@code gradW += col^T · gradOut} and
 * {@code dcol = gradOut · W^T} run as native GEMMs and {@code dcol} is scattered back (col2im) into
 * {@code gradX}. Each gradient is computed only when requested, so the stem's weight gradient does
 * not pay for an input-image gradient. ND4J's {@code conv2d_bp} computes both and was 3-10x slower.
 * Any stride, dilation and per-side padding.
 */
final class Im2colBackward {
    /** Target number of patch-matrix elements per GEMM chunk (bounds the temporary buffers). */
    private static final long CHUNK_ELEMS = 1L << 21;

    private Im2colBackward() {
    }

    /** Index math of one geometry. */
    private static final class Geo {
        final int n, h, w, cin, oh, ow, cout, kH, kW, sH, sW, dH, dW, pT, pL, k, p;

        Geo(Tensor x, Tensor wt, Tensor gradOut, ConvGeometry g) {
            n = x.dim(0);
            h = x.dim(1);
            w = x.dim(2);
            cin = x.dim(3);
            oh = gradOut.dim(1);
            ow = gradOut.dim(2);
            cout = gradOut.dim(3);
            kH = g.kernelH();
            kW = g.kernelW();
            sH = g.strideH();
            sW = g.strideW();
            dH = g.dilationH();
            dW = g.dilationW();
            pT = g.padTop();
            pL = g.padLeft();
            k = kH * kW * cin;
            p = oh * ow;
        }
    }

    static void backward(Tensor x, Tensor w, Tensor gradOut, ConvGeometry g, Tensor gradX, Tensor gradW) {
        if (gradX == null && gradW == null) return;
        Geo q = new Geo(x, w, gradOut, g);
        boolean f64 = CpuElementwise.isDouble(CpuBackend.st(x));
        int imagesPerChunk = (int) Math.max(1, Math.min(q.n, CHUNK_ELEMS / Math.max(1L, (long) q.p * q.k)));
        int rowsMax = imagesPerChunk * q.p;
        Tensor col = Tensor.empty(x.dtype(), rowsMax, q.k);
        Tensor dcol = gradX == null ? null : Tensor.empty(x.dtype(), rowsMax, q.k);
        INDArray w2 = CpuBackend.st(w).view(new int[]{q.k, q.cout});
        INDArray gw2 = gradW == null ? null : CpuBackend.st(gradW).view(new int[]{q.k, q.cout});
        NdStorage xs = CpuBackend.st(x), gs = CpuBackend.st(gradOut), cs = CpuBackend.st(col);
        NdStorage ds = dcol == null ? null : CpuBackend.st(dcol);
        NdStorage gxs = gradX == null ? null : CpuBackend.st(gradX);
        int imgIn = q.h * q.w * q.cin;
        for (int n0 = 0; n0 < q.n; n0 += imagesPerChunk) {
            int imgs = Math.min(imagesPerChunk, q.n - n0);
            int rows = imgs * q.p;
            INDArray colV = matrix(cs, 0, rows, q.k);
            INDArray gV = matrix(gs, (long) n0 * q.p * q.cout, rows, q.cout);
            if (gradW != null) {
                int first = n0;
                Parallel.range(imgs, 1, (a, b) -> {
                    for (int i = a; i < b; i++) {
                        if (f64) im2colD(q, CpuElementwise.db(xs), (first + i) * imgIn, CpuElementwise.db(cs), i * q.p * q.k);
                        else im2colF(q, CpuElementwise.fb(xs), (first + i) * imgIn, CpuElementwise.fb(cs), i * q.p * q.k);
                    }
                });
                Nd4j.gemm(colV, gV, gw2, true, false, 1.0, n0 == 0 ? 0.0 : 1.0);
            }
            if (gradX != null) {
                INDArray dV = matrix(ds, 0, rows, q.k);
                Nd4j.gemm(gV, w2, dV, false, true, 1.0, 0.0);
                int first = n0;
                Parallel.range(imgs, 1, (a, b) -> {
                    for (int i = a; i < b; i++) {
                        if (f64) col2imD(q, CpuElementwise.db(ds), i * q.p * q.k, CpuElementwise.db(gxs), (first + i) * imgIn);
                        else col2imF(q, CpuElementwise.fb(ds), i * q.p * q.k, CpuElementwise.fb(gxs), (first + i) * imgIn);
                    }
                });
            }
        }
    }

    /** A row-major {@code [rows, cols]} view of a buffer starting at element {@code offset}. */
    private static INDArray matrix(NdStorage s, long offset, int rows, int cols) {
        return Nd4j.create(s.flat.data(), new long[]{rows, cols}, new long[]{cols, 1}, offset, 'c');
    }

    // The per-image loops: row (oy, ox) of the patch matrix holds, for each tap (kh, kw), the Cin
    // input values at (oy*sH - pT + kh*dH, ox*sW - pL + kw*dW), or zeros outside the image.

    private static void im2colF(Geo q, FloatBuffer xb, int xOff, FloatBuffer cb, int cOff) {
        float[] img = new float[q.h * q.w * q.cin];
        xb.get(xOff, img, 0, img.length);
        float[] row = new float[q.ow * q.k];
        for (int oy = 0; oy < q.oh; oy++) {
            Arrays.fill(row, 0f);
            for (int ox = 0; ox < q.ow; ox++) {
                int base = ox * q.k;
                for (int kh = 0; kh < q.kH; kh++) {
                    int iy = oy * q.sH - q.pT + kh * q.dH;
                    if (iy < 0 || iy >= q.h) continue;
                    for (int kw = 0; kw < q.kW; kw++) {
                        int ix = ox * q.sW - q.pL + kw * q.dW;
                        if (ix < 0 || ix >= q.w) continue;
                        System.arraycopy(img, (iy * q.w + ix) * q.cin, row, base + (kh * q.kW + kw) * q.cin, q.cin);
                    }
                }
            }
            cb.put(cOff + oy * q.ow * q.k, row, 0, row.length);
        }
    }

    private static void col2imF(Geo q, FloatBuffer db, int dOff, FloatBuffer gxb, int xOff) {
        float[] img = new float[q.h * q.w * q.cin];
        float[] row = new float[q.ow * q.k];
        for (int oy = 0; oy < q.oh; oy++) {
            db.get(dOff + oy * q.ow * q.k, row, 0, row.length);
            for (int ox = 0; ox < q.ow; ox++) {
                int base = ox * q.k;
                for (int kh = 0; kh < q.kH; kh++) {
                    int iy = oy * q.sH - q.pT + kh * q.dH;
                    if (iy < 0 || iy >= q.h) continue;
                    for (int kw = 0; kw < q.kW; kw++) {
                        int ix = ox * q.sW - q.pL + kw * q.dW;
                        if (ix < 0 || ix >= q.w) continue;
                        int io = (iy * q.w + ix) * q.cin;
                        int ro = base + (kh * q.kW + kw) * q.cin;
                        for (int c = 0; c < q.cin; c++) img[io + c] += row[ro + c];
                    }
                }
            }
        }
        gxb.put(xOff, img, 0, img.length);
    }

    private static void im2colD(Geo q, DoubleBuffer xb, int xOff, DoubleBuffer cb, int cOff) {
        double[] img = new double[q.h * q.w * q.cin];
        xb.get(xOff, img, 0, img.length);
        double[] row = new double[q.ow * q.k];
        for (int oy = 0; oy < q.oh; oy++) {
            Arrays.fill(row, 0);
            for (int ox = 0; ox < q.ow; ox++) {
                int base = ox * q.k;
                for (int kh = 0; kh < q.kH; kh++) {
                    int iy = oy * q.sH - q.pT + kh * q.dH;
                    if (iy < 0 || iy >= q.h) continue;
                    for (int kw = 0; kw < q.kW; kw++) {
                        int ix = ox * q.sW - q.pL + kw * q.dW;
                        if (ix < 0 || ix >= q.w) continue;
                        System.arraycopy(img, (iy * q.w + ix) * q.cin, row, base + (kh * q.kW + kw) * q.cin, q.cin);
                    }
                }
            }
            cb.put(cOff + oy * q.ow * q.k, row, 0, row.length);
        }
    }

    private static void col2imD(Geo q, DoubleBuffer db, int dOff, DoubleBuffer gxb, int xOff) {
        double[] img = new double[q.h * q.w * q.cin];
        double[] row = new double[q.ow * q.k];
        for (int oy = 0; oy < q.oh; oy++) {
            db.get(dOff + oy * q.ow * q.k, row, 0, row.length);
            for (int ox = 0; ox < q.ow; ox++) {
                int base = ox * q.k;
                for (int kh = 0; kh < q.kH; kh++) {
                    int iy = oy * q.sH - q.pT + kh * q.dH;
                    if (iy < 0 || iy >= q.h) continue;
                    for (int kw = 0; kw < q.kW; kw++) {
                        int ix = ox * q.sW - q.pL + kw * q.dW;
                        if (ix < 0 || ix >= q.w) continue;
                        int io = (iy * q.w + ix) * q.cin;
                        int ro = base + (kh * q.kW + kw) * q.cin;
                        for (int c = 0; c < q.cin; c++) img[io + c] += row[ro + c];
                    }
                }
            }
        }
        gxb.put(xOff, img, 0, img.length);
    }
}
