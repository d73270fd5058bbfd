package dev.efficientnet.train.progressive;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProgressiveScheduleTest {

    private static int[] sizes(ProgressiveSchedule s) {
        return s.stages().stream().mapToInt(Stage::imageSize).toArray();
    }

    private static double[] field(ProgressiveSchedule s, java.util.function.ToDoubleFunction<Stage> f) {
        return s.stages().stream().mapToDouble(f).toArray();
    }

    @Test
    void automlMatchesTheOfficialCode() {
        // landscape.md §2.4: automl main.py, 4 stages, ratio (i+1)/4, ibase 128
        ProgressiveSchedule s = ProgressiveSchedule.automl(ModelSize.S);
        assertArrayEquals(new int[]{171, 214, 257, 300}, sizes(s));
        assertArrayEquals(new double[]{5, 5 + 5 / 3.0, 5 + 10 / 3.0, 10}, field(s, Stage::randAugMagnitude), 1e-9);
        assertArrayEquals(new double[]{0, 0, 0, 0}, field(s, Stage::mixupAlpha), 0);
        assertArrayEquals(new double[]{0.2, 0.2, 0.2, 0.2}, field(s, Stage::dropout), 0);

        ProgressiveSchedule m = ProgressiveSchedule.automl(ModelSize.M);
        assertArrayEquals(new int[]{192, 256, 320, 384}, sizes(m));
        assertArrayEquals(new double[]{5, 8.333333333333, 11.666666666667, 15}, field(m, Stage::randAugMagnitude), 1e-9);
        assertArrayEquals(new double[]{0, 0.2 / 3, 0.4 / 3, 0.2}, field(m, Stage::mixupAlpha), 1e-9);
        assertArrayEquals(new double[]{0.3, 0.3, 0.3, 0.3}, field(m, Stage::dropout), 0);

        ProgressiveSchedule l = ProgressiveSchedule.automl(ModelSize.L);
        assertArrayEquals(new int[]{192, 256, 320, 384}, sizes(l));
        assertArrayEquals(new double[]{5, 10, 15, 20}, field(l, Stage::randAugMagnitude), 1e-9);
        assertArrayEquals(new double[]{0, 0.5 / 3, 1.0 / 3, 0.5}, field(l, Stage::mixupAlpha), 1e-9);
        assertArrayEquals(new double[]{0.4, 0.4, 0.4, 0.4}, field(l, Stage::dropout), 0);
    }

    @Test
    void paperMatchesTable6() {
        ProgressiveSchedule s = ProgressiveSchedule.paper(ModelSize.S, 4);
        assertArrayEquals(new int[]{128, 185, 243, 300}, sizes(s));
        assertArrayEquals(new double[]{5, 5 + 10 / 3.0, 5 + 20 / 3.0, 15}, field(s, Stage::randAugMagnitude), 1e-9);
        assertArrayEquals(new double[]{0, 0, 0, 0}, field(s, Stage::mixupAlpha), 0);
        assertArrayEquals(new double[]{0.1, 0.1 + 0.2 / 3, 0.1 + 0.4 / 3, 0.3}, field(s, Stage::dropout), 1e-9);

        ProgressiveSchedule m = ProgressiveSchedule.paper(ModelSize.M, 4);
        assertArrayEquals(new int[]{128, 212, 296, 380}, sizes(m));
        assertArrayEquals(new double[]{5, 10, 15, 20}, field(m, Stage::randAugMagnitude), 1e-9);
        assertArrayEquals(new double[]{0, 0.2 / 3, 0.4 / 3, 0.2}, field(m, Stage::mixupAlpha), 1e-9);
        assertArrayEquals(new double[]{0.1, 0.2, 0.3, 0.4}, field(m, Stage::dropout), 1e-9);

        ProgressiveSchedule l = ProgressiveSchedule.paper(ModelSize.L, 5);
        assertArrayEquals(new int[]{128, 191, 254, 317, 380}, sizes(l));
        assertArrayEquals(new double[]{5, 10, 15, 20, 25}, field(l, Stage::randAugMagnitude), 1e-9);
        assertArrayEquals(new double[]{0, 0.1, 0.2, 0.3, 0.4}, field(l, Stage::mixupAlpha), 1e-9);
        assertArrayEquals(new double[]{0.1, 0.2, 0.3, 0.4, 0.5}, field(l, Stage::dropout), 1e-9);
    }

    @Test
    void scaledPresetsAndSizeClasses() {
        ProgressiveSchedule s = ProgressiveSchedule.paper(ModelSize.of("tf_efficientnetv2_b0"), 3, 16, 28);
        assertArrayEquals(new int[]{16, 22, 28}, sizes(s));
        assertArrayEquals(new double[]{0.1, 0.2, 0.3}, field(s, Stage::dropout), 1e-12);
        ProgressiveSchedule a = ProgressiveSchedule.automl(ModelSize.S, 4, 16, 28);
        assertArrayEquals(new int[]{19, 22, 25, 28}, sizes(a));
        assertEquals(ModelSize.M, ModelSize.of("efficientnet_v2_m"));
        assertEquals(ModelSize.L, ModelSize.of("tf_efficientnetv2_xl"));
        assertEquals(ModelSize.L, ModelSize.of("tf_efficientnetv2_l"));
        assertEquals(ModelSize.S, ModelSize.of("efficientnet_b7"));
    }

    @Test
    void epochsSplitEvenlyIntoStages() {
        ProgressiveSchedule s = ProgressiveSchedule.paper(ModelSize.S, 4);
        int[] stageOf = new int[10];
        for (int e = 0; e < 10; e++) stageOf[e] = s.stageIndex(e, 10);
        assertArrayEquals(new int[]{0, 0, 1, 1, 1, 2, 2, 3, 3, 3}, stageOf);
        assertEquals(300, s.forEpoch(9, 10).imageSize());
        assertEquals(0, ProgressiveSchedule.none(28, 0.2, 0, 0).stageIndex(5, 6));
        assertThrows(IllegalArgumentException.class, () -> s.stageIndex(10, 10));
    }

    @Test
    void perStageBatchSizesAndValidation() {
        ProgressiveSchedule s = ProgressiveSchedule.paper(ModelSize.S, 2, 16, 28).withBatchSizes(128, 0);
        assertEquals(128, s.stages().get(0).batchSizeOr(64));
        assertEquals(64, s.stages().get(1).batchSizeOr(64));
        assertThrows(IllegalArgumentException.class, () -> s.withBatchSizes(1));
        assertThrows(IllegalArgumentException.class, () -> ProgressiveSchedule.linear("x", 0, Range.constant(1),
                Range.constant(0), Range.constant(0), Range.constant(0)));
        assertThrows(IllegalArgumentException.class, () -> ProgressiveSchedule.paper(ModelSize.S, 3, 30, 20));
        assertThrows(IllegalArgumentException.class, () -> ProgressiveSchedule.of("x", List.of(new Stage(1, 8, 0, 0, 0, 0))));
        assertEquals(0.25, ProgressiveSchedule.paper(ModelSize.S, 2).withFixedDropout(0.25).stages().get(0).dropout());
    }
}
