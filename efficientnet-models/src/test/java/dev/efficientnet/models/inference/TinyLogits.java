package dev.efficientnet.models.inference;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;

import java.util.Random;

/**
 * One small inference, printed as one line of logits: a width/depth 0.25 EfficientNet-B0 with 10
 * classes and seeded weights on a seeded 2×3×32×32 input. {@link EmulatedCpuTest} runs it on this
 * CPU and on an emulated CPU without AVX-512 and compares the lines.
 */
public final class TinyLogits {
    private TinyLogits() {
    }

    /** The logits of the tiny model, batch-major. */
    static float[][] logits() {
        EfficientNet model = EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.25, 10), 7);
        float[] input = new float[2 * 3 * 32 * 32];
        Random rng = new Random(11);
        for (int i = 0; i < input.length; i++) input[i] = (float) rng.nextGaussian();
        return Classifier.of(model).logits(input, 2, 32, 32);
    }

    /** Prints "LOGITS v1 v2 ..." (both images, row after row) on stdout. */
    public static void main(String[] args) {
        StringBuilder line = new StringBuilder("LOGITS");
        for (float[] row : logits()) for (float v : row) line.append(' ').append(v);
        System.out.println(line);
    }
}
