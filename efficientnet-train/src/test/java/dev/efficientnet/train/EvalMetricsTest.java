package dev.efficientnet.train;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.train.data.Batch;
import dev.efficientnet.train.report.ConfusionPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Top-1/top-5/per-class accuracy, the confusion matrix and its PNG. */
class EvalMetricsTest {

    @Test
    void countsTopOneTopFiveAndTheConfusionMatrix() {
        int k = 7;
        // row 0: label 3 is the largest -> top-1 and top-5
        // row 1: label 0 ranks 6th (5 classes above it) -> neither; predicted 6
        // row 2: label 5 ranks 5th (4 classes above) -> top-5 only; predicted 1
        // row 3: all equal, label 2: classes 0 and 1 rank above by the tie rule -> top-5; predicted 0
        float[] logits = {
                0, 1, 2, 9, 3, 4, 5,
                0, 5, 4, 3, 2, 1, 6,
                1, 9, 8, 7, 6, 5, 0,
                1, 1, 1, 1, 1, 1, 1};
        int[] labels = {3, 0, 5, 2};
        long[][] confusion = new long[k][k];
        assertEquals(3, EvalMetrics.count(logits, labels, k, confusion));
        assertEquals(1, confusion[3][3]);
        assertEquals(1, confusion[0][6]);
        assertEquals(1, confusion[5][1]);
        assertEquals(1, confusion[2][0]);
        long total = 0;
        for (long[] row : confusion) for (long v : row) total += v;
        assertEquals(4, total);
        assertThrows(IllegalArgumentException.class, () -> EvalMetrics.count(new float[k], new int[]{7}, k, new long[k][k]));
    }

    @Test
    void perClassAccuracyIsTheRecallOfEachRow() {
        EvalMetrics m = new EvalMetrics(0.5, 0.6, 0.9, new long[][]{{3, 1, 0}, {0, 0, 0}, {2, 0, 4}});
        assertEquals(10, m.examples());
        assertEquals(0.75, m.classAccuracy(0), 1e-12);
        assertTrue(Double.isNaN(m.classAccuracy(1)), "no examples of class 1");
        assertEquals(4.0 / 6, m.classAccuracy(2), 1e-12);
        assertEquals(6, m.support(2));
    }

    @Test
    void aRealModelAgreesWithTheEvaluator() {
        var spec = Presets.get("tf_efficientnetv2_b0").withWidthDepth(0.25, 0.1).withNumClasses(8).withInChannels(1);
        EfficientNet net = EfficientNet.create(spec, 3);
        Rng rng = new Rng(5);
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            int n = 6;
            float[] x = new float[n * 16 * 16];
            for (int i = 0; i < x.length; i++) x[i] = (float) (2 * rng.nextDouble() - 1);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) y[i] = (b * n + i) % 8;
            batches.add(new Batch(x, n, 1, 16, 16, y, null, b));
        }
        EvalMetrics m = EvalMetrics.evaluate(net, batches);
        double[] ref = Evaluator.evaluate(net, batches);
        assertEquals(ref[0], m.loss(), 1e-9);
        assertEquals(ref[1], m.top1(), 1e-12);
        assertTrue(m.top5() >= m.top1());
        assertEquals(18, m.examples());
        for (int c = 0; c < 8; c++) assertEquals(c < 2 ? 3 : 2, m.support(c), "class " + c);
    }

    @Test
    void confusionPng(@TempDir Path dir) throws IOException {
        EvalMetrics m = new EvalMetrics(0.5, 0.7, 1.0, new long[][]{{3, 1, 0}, {0, 0, 0}, {2, 0, 4}});
        Path f = dir.resolve("sub/confusion.png");
        ConfusionPlot.write(f, m, List.of("t-shirt", "trouser", "a very long class name indeed"), "test");
        BufferedImage img = ImageIO.read(f.toFile());
        assertTrue(img.getWidth() > 200 && img.getHeight() > 200, img.getWidth() + "x" + img.getHeight());
        // the diagonal cell of class 0 (3 of 4 right) is shaded, an empty off-diagonal cell is white
        int cell = 56, left = 130, top = 70;
        int diag = img.getRGB(left + 5, top + 5) & 0xffffff;
        int empty = img.getRGB(left + 2 * cell + 5, top + 5) & 0xffffff;
        assertEquals(0xffffff, empty);
        assertTrue(diag != 0xffffff, Integer.toHexString(diag));
        assertArrayEquals(new long[]{3, 1, 0}, m.confusion()[0]);
        assertThrows(IllegalArgumentException.class,
                () -> ConfusionPlot.write(dir.resolve("big.png"), new EvalMetrics(0, 0, 0, new long[21][21]), null, null));
        assertThrows(IllegalArgumentException.class, () -> ConfusionPlot.write(dir.resolve("n.png"), m, List.of("a"), null));
        assertTrue(Files.notExists(dir.resolve("big.png")));
    }
}
