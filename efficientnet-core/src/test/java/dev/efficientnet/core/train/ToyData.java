package dev.efficientnet.core.train;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;

/**
 * A toy vision task: 16×16 single-channel noisy images of either horizontal or vertical stripes
 * (class 0 / 1) with random phase and contrast. Linear in no pixel, easy for a CNN.
 */
final class ToyData {
    static final int SIZE = 16;

    final float[] images;
    final int[] labels;
    final int count;

    ToyData(int count, long seed) {
        this.count = count;
        Rng rng = new Rng(seed);
        images = new float[count * SIZE * SIZE];
        labels = new int[count];
        double[] noise = rng.normal(images.length, 0, 0.3);
        for (int i = 0; i < count; i++) {
            int label = rng.nextInt(2);
            int period = 2 + rng.nextInt(3);
            int phase = rng.nextInt(period);
            double contrast = 0.5 + rng.nextDouble();
            labels[i] = label;
            for (int y = 0; y < SIZE; y++)
                for (int x = 0; x < SIZE; x++) {
                    int coord = label == 0 ? y : x;
                    double v = ((coord + phase) % period < period / 2.0 ? 1 : -1) * contrast;
                    int idx = i * SIZE * SIZE + y * SIZE + x;
                    images[idx] = (float) (v + noise[idx]);
                }
        }
    }

    /** Batch {@code b} of size {@code n} as NHWC [n,16,16,1] plus labels. */
    Tensor batch(int from, int n) {
        float[] data = new float[n * SIZE * SIZE];
        System.arraycopy(images, from * SIZE * SIZE, data, 0, data.length);
        return Tensor.of(data, n, SIZE, SIZE, 1);
    }

    int[] labels(int from, int n) {
        int[] out = new int[n];
        System.arraycopy(labels, from, out, 0, n);
        return out;
    }
}
