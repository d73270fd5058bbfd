package dev.efficientnet.train.augment;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.train.data.Example;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineTest {
    @Test
    void withersKeepTheStandardOrder() {
        Pipeline p = Pipeline.train(10).withRandomErasing(0.25).withRandAugment(2, 9).withCropScale(0.3, 1);
        List<Transform> t = p.transforms();
        assertEquals(4, t.size());
        assertInstanceOf(RandomResizedCrop.class, t.get(0));
        assertEquals(0.3, ((RandomResizedCrop) t.get(0)).scaleMin());
        assertInstanceOf(HorizontalFlip.class, t.get(1));
        assertInstanceOf(RandAugment.class, t.get(2));
        assertInstanceOf(RandomErasing.class, t.get(3));
        Pipeline q = p.withRandAugment(2, 15).withRandAugment(2, 20);
        assertEquals(4, q.transforms().size());
        assertEquals(20, q.randAugment().magnitude());
        assertEquals(3, q.withRandAugment(0, 0).transforms().size());
        assertEquals(3, q.withHorizontalFlip(0).transforms().size());
        List<Transform> shifted = q.withTranslate(0.1).withTranslate(0.125).transforms();
        assertEquals(5, shifted.size());
        assertEquals(new RandomTranslate(0.125), shifted.get(1), "translation comes right after the crop, once");
        assertEquals(4, q.withTranslate(0.1).withTranslate(0).transforms().size());
        assertFalse(p.softTargets());
        assertTrue(p.withLabelSmoothing(0.1).softTargets());
        assertTrue(p.withMixup(0.2).softTargets());
        Pipeline all = Pipeline.train(10, 15, 0.2, 1.0, 0.1);
        assertEquals(15, all.randAugment().magnitude());
        assertEquals(0.2, all.mixupAlpha());
        assertEquals(1.0, all.cutmixAlpha());
        assertNull(Pipeline.train(10, 0, 0, 0, 0).randAugment());
    }

    @Test
    void processOutputsTheRequestedSize() {
        Example e = TransformsTest.image(28, 28, 1, 3);
        for (Pipeline p : List.of(Pipeline.train(10, 15, 0, 0, 0).withRandomErasing(0.5), Pipeline.eval(10),
                Pipeline.evalCenterCrop(10, 0.875), Pipeline.of(List.of(), 10))) {
            for (int size : new int[]{16, 24, 32}) {
                Example out = p.process(e, size, new Rng(size));
                assertEquals(size, out.height());
                assertEquals(size, out.width());
                assertEquals(1, out.channels());
                TransformsTest.assertInUnitRange(out);
            }
        }
    }

    @Test
    void normalizationPerChannelBroadcastAndGrayAverage() {
        Example e = new Example(new float[]{0.2f, 0.4f, 0.6f, 1f, 0f, 0.5f}, 1, 2, 3, 0);
        float[] dst = new float[12];
        Pipeline p = Pipeline.eval(2).withNormalization(new double[]{0.1, 0.2, 0.3}, new double[]{0.5, 1, 2});
        p.writeNormalized(e, dst, 1);
        float[] expect = {(0.2f - 0.1f) / 0.5f, (1f - 0.1f) / 0.5f, (0.4f - 0.2f), (0f - 0.2f), (0.6f - 0.3f) / 2, (0.5f - 0.3f) / 2};
        for (int i = 0; i < 6; i++) assertEquals(expect[i], dst[6 + i], 1e-6f);
        for (int i = 0; i < 6; i++) assertEquals(0f, dst[i]);
        // default ImageNet constants on a 1-channel image use their average
        float[] g = new float[1];
        Pipeline.eval(2).writeNormalized(new Example(new float[]{0.5f}, 1, 1, 1, 0), g, 0);
        double m = (0.485 + 0.456 + 0.406) / 3, s = (0.229 + 0.224 + 0.225) / 3;
        assertEquals((0.5 - m) / s, g[0], 1e-5);
        assertThrows(IllegalArgumentException.class,
                () -> Pipeline.eval(2).withNormalization(new double[]{0.5, 0.5}, new double[]{0.5, 0.5})
                        .writeNormalized(e, new float[6], 0));
        assertThrows(IllegalArgumentException.class, () -> Pipeline.eval(2).withNormalization(new double[]{0}, new double[]{0}));
    }

    @Test
    void mixBatchProducesSoftTargetsOnlyWhenNeeded() {
        float[] x = new float[2 * 3 * 4 * 4];
        assertNull(Pipeline.eval(3).mixBatch(x, 2, 3, 4, 4, new int[]{0, 2}, new Rng(1)));
        float[] t = Pipeline.train(3).withLabelSmoothing(0.3).mixBatch(x, 2, 3, 4, 4, new int[]{0, 2}, new Rng(1));
        assertEquals(6, t.length);
        assertEquals(0.8f, t[0], 1e-6f);
        assertEquals(0.1f, t[1], 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Pipeline.eval(3).mixBatch(x, 2, 3, 4, 4, new int[]{0, 3}, new Rng(1)));
    }
}
