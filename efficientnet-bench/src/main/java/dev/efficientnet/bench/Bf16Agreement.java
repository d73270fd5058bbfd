package dev.efficientnet.bench;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.infer.InferencePlan;
import dev.efficientnet.models.infer.Precision;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.TrainedModel;
import dev.efficientnet.train.data.Example;
import dev.efficientnet.train.data.IdxDataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * bf16 vs float32 inference plans on the same inputs (issue 13): top-1 agreement, the largest
 * logit difference, accuracy of both where labels exist, and the time per batch of each.
 *
 * <p>Usage:
 * <ul>
 *   <li>{@code Bf16Agreement fixture PRESET WEIGHTS.safetensors IO.safetensors [extra] [batch]}: a
 *       reference fixture's weights, its {@code input} images plus {@code extra} (default 255)
 *       synthetic ones (smooth random patterns, seeded);</li>
 *   <li>{@code Bf16Agreement fashion CHECKPOINT DATA_DIR [limit] [batch]}: a training checkpoint
 *       ({@link TrainedModel}, at its test size) on the Fashion-MNIST test set.</li>
 * </ul>
 */
public final class Bf16Agreement {
    private Bf16Agreement() {
    }

    /** Runs the comparison; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (!Precision.BF16.supported()) {
            System.out.println("this CPU has no avx512_bf16 / amx_bf16: bf16 plans are refused, nothing to compare");
            return;
        }
        EfficientNet model;
        int size;
        int channels;
        float[] images;
        int[] labels = null;
        int count;
        int batch;
        String what;
        if (args[0].equals("fixture")) {
            model = EfficientNet.create(Presets.get(args[1]), 0);
            Weights.load(model, Path.of(args[2]));
            model.eval();
            Tensor in = Safetensors.read(Path.of(args[3])).get("input");
            int[] s = in.shape();
            channels = s[1];
            size = s[2];
            int extra = args.length > 4 ? Integer.parseInt(args[4]) : 255;
            batch = args.length > 5 ? Integer.parseInt(args[5]) : 16;
            count = s[0] + extra;
            int per = channels * size * size;
            images = new float[count * per];
            System.arraycopy(in.toFloatArray(), 0, images, 0, s[0] * per);
            Rng rng = new Rng(7);
            for (int i = s[0]; i < count; i++) synthetic(images, i * per, channels, size, rng);
            what = args[1] + " fixture weights, " + s[0] + " fixture image(s) + " + extra + " synthetic";
        } else if (args[0].equals("fashion")) {
            TrainedModel tm = TrainedModel.load(Path.of(args[1]), false);
            model = tm.model();
            size = tm.evalSize();
            channels = tm.config().inChannels();
            IdxDataset test = IdxDataset.loadMnistLayout(Path.of(args[2]), false, 10);
            count = Math.min(test.size(), args.length > 3 ? Integer.parseInt(args[3]) : test.size());
            batch = args.length > 4 ? Integer.parseInt(args[4]) : 100;
            count -= count % batch;
            List<Example> ex = new ArrayList<>();
            labels = new int[count];
            for (int i = 0; i < count; i++) {
                ex.add(test.get(i));
                labels[i] = test.label(i);
            }
            images = tm.preprocess(ex, size);
            what = "checkpoint " + args[1] + " on " + count + " Fashion-MNIST test images at " + size + " px";
        } else {
            throw new IllegalArgumentException("mode is fixture or fashion, got " + args[0]);
        }
        int per = channels * size * size;
        int batches = (count + batch - 1) / batch;
        int[] top32 = new int[count];
        int[] top16 = new int[count];
        double maxDiff = 0;
        double maxAbs = 0;
        long ns32 = 0;
        long ns16 = 0;
        int last = count - (batches - 1) * batch;
        float[][] fp32Logits = new float[count][];
        for (int pass = 0; pass < 2; pass++) {
            Precision p = pass == 0 ? Precision.FP32 : Precision.BF16;
            float[][] logits = new float[count][];
            InferencePlan plan = InferencePlan.compile(model, batch, size, size, p);
            InferencePlan tail = last == batch ? plan : InferencePlan.compile(model, last, size, size, p);
            try {
                float[] buf = new float[batch * per];
                plan.run(Arrays.copyOf(images, batch * per)); // warm-up
                long t0 = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    int n = Math.min(batch, count - b * batch);
                    InferencePlan use = n == batch ? plan : tail;
                    float[] x = n == batch ? buf : new float[n * per];
                    System.arraycopy(images, b * batch * per, x, 0, n * per);
                    use.run(x);
                    float[] l = use.logits();
                    int k = l.length / n;
                    for (int i = 0; i < n; i++) logits[b * batch + i] = Arrays.copyOfRange(l, i * k, (i + 1) * k);
                }
                long dt = System.nanoTime() - t0;
                if (pass == 0) ns32 = dt;
                else ns16 = dt;
            } finally {
                if (tail != plan) tail.close();
                plan.close();
            }
            for (int i = 0; i < count; i++) {
                (pass == 0 ? top32 : top16)[i] = argmax(logits[i]);
                if (pass == 0) {
                    fp32Logits[i] = logits[i];
                    for (float v : logits[i]) maxAbs = Math.max(maxAbs, Math.abs(v));
                } else {
                    for (int j = 0; j < logits[i].length; j++) maxDiff = Math.max(maxDiff, Math.abs(logits[i][j] - fp32Logits[i][j]));
                }
            }
        }
        int agree = 0;
        int ok32 = 0;
        int ok16 = 0;
        for (int i = 0; i < count; i++) {
            if (top32[i] == top16[i]) agree++;
            if (labels != null && top32[i] == labels[i]) ok32++;
            if (labels != null && top16[i] == labels[i]) ok16++;
        }
        System.out.println(what + ", batch " + batch);
        System.out.printf("top-1 agreement bf16 vs fp32: %d / %d = %.2f %%%n", agree, count, 100.0 * agree / count);
        System.out.printf("max |logit bf16 - fp32| %.4g (max |logit| fp32 %.4g)%n", maxDiff, maxAbs);
        if (labels != null) System.out.printf("accuracy fp32 %.2f %%, bf16 %.2f %%%n", 100.0 * ok32 / count, 100.0 * ok16 / count);
        System.out.printf("time for all batches: fp32 %.1f ms, bf16 %.1f ms (bf16 speed-up %.2fx)%n", ns32 / 1e6, ns16 / 1e6,
                (double) ns32 / ns16);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** A smooth random image: a few random sinusoids per channel, values in about [-2, 2]. */
    private static void synthetic(float[] out, int offset, int channels, int size, Rng rng) {
        for (int c = 0; c < channels; c++) {
            double fx = 1 + 6 * rng.nextDouble();
            double fy = 1 + 6 * rng.nextDouble();
            double ph = 6.28 * rng.nextDouble();
            double amp = 0.5 + 1.5 * rng.nextDouble();
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    out[offset + (c * size + y) * size + x] = (float) (amp * Math.sin(fx * 6.28 * x / size + ph) * Math.cos(fy * 6.28 * y / size));
        }
    }
}
