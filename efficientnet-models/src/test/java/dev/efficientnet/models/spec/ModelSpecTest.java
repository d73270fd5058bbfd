package dev.efficientnet.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Blocks, feature taps, summaries, withers, per-preset conventions and validation. */
class ModelSpecTest {

    @Test
    void b0Blocks() {
        ModelSpec b0 = Presets.efficientnetB0();
        List<BlockSpec> blocks = b0.blocks();
        assertEquals(16, blocks.size());

        BlockSpec first = blocks.get(0);       // DS block: dw -> SE -> project, no expand conv
        assertEquals(BlockType.MBCONV, first.type());
        assertEquals(32, first.inChannels());
        assertEquals(32, first.midChannels());
        assertEquals(16, first.outChannels());
        assertEquals(8, first.seChannels());   // max(1, int(32 * 0.25))
        assertFalse(first.hasExpandConv());
        assertTrue(first.hasProjectConv());
        assertFalse(first.hasResidual());
        assertEquals(0.0, first.dropPathRate());

        BlockSpec b1 = blocks.get(1);          // stage 2 first block: 16 -> 96 -> 24, stride 2
        assertEquals(1, b1.stageIndex());
        assertEquals(0, b1.blockIndex());
        assertEquals(96, b1.midChannels());
        assertEquals(4, b1.seChannels());      // on the block input (16), not the expanded 96
        assertEquals(2, b1.stride());
        assertFalse(b1.hasResidual());

        BlockSpec b2 = blocks.get(2);          // stage 2 second block: 24 -> 144 -> 24, stride 1, residual
        assertEquals(1, b2.blockIndex());
        assertEquals(24, b2.inChannels());
        assertEquals(144, b2.midChannels());
        assertEquals(6, b2.seChannels());
        assertEquals(1, b2.stride());
        assertTrue(b2.hasResidual());
        assertEquals(0.2 * 2 / 16, b2.dropPathRate(), 1e-15);

        BlockSpec last = blocks.get(15);       // stage 7: 192 -> 1152 -> 320, no residual
        assertEquals(6, last.stageIndex());
        assertEquals(1152, last.midChannels());
        assertEquals(48, last.seChannels());
        assertFalse(last.hasResidual());
        assertEquals(0.2 * 15 / 16, last.dropPathRate(), 1e-15);

        int residuals = 0;
        for (BlockSpec b : blocks) {
            residuals += b.hasResidual() ? 1 : 0;
            assertEquals(b.stride() == 1 && b.inChannels() == b.outChannels(), b.hasResidual());
        }
        assertEquals(9, residuals);            // every repeat after the first: 16 - 7 stages
    }

    @Test
    void v2FusedBlocks() {
        List<BlockSpec> blocks = Presets.efficientnetV2S().blocks();
        BlockSpec cn = blocks.get(0);          // single 3x3 conv 24 -> 24 + BN + act, residual
        assertEquals(BlockType.FUSED_MBCONV, cn.type());
        assertFalse(cn.hasExpandConv());
        assertFalse(cn.hasProjectConv());
        assertFalse(cn.hasSe());
        assertTrue(cn.hasResidual());
        assertEquals(24 * 24 * 9 + 2 * 24, cn.params());

        BlockSpec er = blocks.get(2);          // stage 2 first block: 3x3 s2 24 -> 96, 1x1 96 -> 48
        assertEquals(1, er.stageIndex());
        assertTrue(er.hasExpandConv());
        assertTrue(er.hasProjectConv());
        assertEquals(96, er.midChannels());
        assertEquals(2, er.stride());
        assertEquals(24 * 96 * 9 + 2 * 96 + 96 * 48 + 2 * 48, er.params());

        BlockSpec ir = blocks.get(10);         // stage 4 first MBConv: 64 -> 256 -> 128, SE 16
        assertEquals(3, ir.stageIndex());
        assertEquals(BlockType.MBCONV, ir.type());
        assertEquals(16, ir.seChannels());
        assertEquals(0.2 * 10 / 40, ir.dropPathRate(), 1e-15);
    }

    @Test
    void dropPathFollowsTheRate() {
        ModelSpec spec = Presets.tfEfficientnetB3().withDropPath(0.5);
        List<BlockSpec> blocks = spec.blocks();
        for (BlockSpec b : blocks) {
            assertEquals(0.5 * b.globalIndex() / blocks.size(), b.dropPathRate(), 1e-15);
        }
        for (BlockSpec b : spec.withDropPath(0).blocks()) {
            assertEquals(0.0, b.dropPathRate());
        }
    }

    @Test
    void featureInfo() {
        List<FeatureInfo> taps = Presets.efficientnetB0().featureInfo();
        assertEquals(List.of(
                new FeatureInfo(FeatureInfo.Kind.STAGE, 2, 16, 0, 0),
                new FeatureInfo(FeatureInfo.Kind.STAGE, 4, 24, 1, 2),
                new FeatureInfo(FeatureInfo.Kind.STAGE, 8, 40, 2, 4),
                new FeatureInfo(FeatureInfo.Kind.STAGE, 16, 112, 4, 10),
                new FeatureInfo(FeatureInfo.Kind.STAGE, 32, 320, 6, 15),
                new FeatureInfo(FeatureInfo.Kind.HEAD, 32, 1280, -1, -1)), taps);

        // timm issue 1281: B4 feature channels [24, 32, 56, 160, 448]
        List<Integer> b4 = new ArrayList<>();
        for (FeatureInfo f : Presets.tfEfficientnetB4().featureInfo()) {
            b4.add(f.channels());
        }
        assertEquals(List.of(24, 32, 56, 160, 448, 1792), b4);

        List<FeatureInfo> v2s = Presets.tfEfficientnetV2S().featureInfo();
        assertEquals(List.of(24, 48, 64, 160, 256, 1280), v2s.stream().map(FeatureInfo::channels).toList());
        assertEquals(List.of(0, 1, 2, 4, 5, -1), v2s.stream().map(FeatureInfo::stageIndex).toList());
        assertEquals(List.of(1, 5, 9, 24, 39, -1), v2s.stream().map(FeatureInfo::blockIndex).toList());

        // a table whose first stage downsamples taps the stem at reduction 2
        Architecture a = Architecture.of(ModelFamily.EFFICIENTNET_V1, 32, List.of(
                StageSpec.mbconv(6, 3, 2, 32, 40, 2, 0.25), StageSpec.mbconv(6, 3, 2, 40, 64, 1, 0.25)));
        assertEquals(List.of(
                new FeatureInfo(FeatureInfo.Kind.STEM, 2, 32, -1, -1),
                new FeatureInfo(FeatureInfo.Kind.STAGE, 4, 40, 0, 1),
                new FeatureInfo(FeatureInfo.Kind.STAGE, 8, 64, 1, 2),
                new FeatureInfo(FeatureInfo.Kind.HEAD, 8, 1280, -1, -1)),
                ModelSpec.of("tiny", a).featureInfo());
    }

    @ParameterizedTest(name = "{0} @ {1}x{2}")
    @CsvSource({"efficientnet_b0, 224, 224", "tf_efficientnetv2_l, 480, 480", "tf_efficientnet_b7, 601, 333",
            "efficientnet_v2_s, 65, 64"})
    void summaryAddsUp(String name, int h, int w) {
        ModelSpec spec = Presets.get(name);
        List<StageSummary> rows = spec.summary(h, w);
        assertEquals(spec.stages().size() + 3, rows.size());
        long p = 0;
        long m = 0;
        for (StageSummary r : rows) {
            p += r.params();
            m += r.macs();
        }
        assertEquals(spec.params(), p);
        assertEquals(spec.macs(h, w), m);
        StageSummary stem = rows.get(0);
        assertEquals(StageSummary.Kind.STEM, stem.kind());
        assertNull(stem.blockType());
        assertEquals((h + 1) / 2, stem.outHeight());
        StageSummary head = rows.get(rows.size() - 2);
        assertEquals(StageSummary.Kind.HEAD, head.kind());
        assertEquals((h + 31) / 32, head.outHeight());   // ceil(h / 32) for odd kernels
        assertEquals((w + 31) / 32, head.outWidth());
        assertEquals(StageSummary.Kind.CLASSIFIER, rows.get(rows.size() - 1).kind());
        assertTrue(spec.describe(h).contains(String.format(java.util.Locale.ROOT, "%,d params", spec.params())));
    }

    @Test
    void b0StageSummaryAt224() {
        List<StageSummary> rows = Presets.efficientnetB0().summary(224);
        int[] hw = {112, 112, 56, 28, 14, 14, 7, 7, 7, 1};
        for (int i = 0; i < hw.length; i++) {
            assertEquals(hw[i], rows.get(i).outHeight(), rows.get(i).name());
        }
        assertEquals(32 * 3 * 9 + 64, rows.get(0).params());
        assertEquals(112L * 112 * 32 * 3 * 9, rows.get(0).macs());
        assertEquals("stage2", rows.get(2).name());
        assertEquals(2, rows.get(2).repeats());
        assertEquals(BlockType.MBCONV, rows.get(2).blockType());
        assertEquals(1280L * 1000 + 1000, rows.get(9).params());
    }

    @Test
    void withers() {
        ModelSpec b0 = Presets.efficientnetB0();
        assertEquals(b0.params() - 2 * 32 * 9, b0.withInChannels(1).params());
        assertEquals(b0.macs(224) - 112L * 112 * 32 * 2 * 9, b0.withInChannels(1).macs(224));
        assertEquals(b0.params() - 1280L * 990 - 990, b0.withNumClasses(10).params());
        assertEquals(b0.params() - 1280L * 1000 - 1000, b0.withNumClasses(0).params());
        assertEquals(0.5, b0.withDropout(0.5).dropoutRate());
        assertEquals(0.1, b0.withDropPath(0.1).dropPathRate());
        assertEquals(Padding.TF_SAME, b0.withPadding(Padding.TF_SAME).padding());
        assertEquals(1e-3, b0.withBatchNorm(1e-3, 0.01).bnEps());
        assertEquals(0.01, b0.withBatchNorm(1e-3, 0.01).bnMomentum());
        assertEquals(Activation.RELU, b0.withActivation(Activation.RELU).activation());
        assertEquals(256, b0.withResolution(192, 256).evalResolution());
        assertEquals("mine", b0.withName("mine").name());
        assertEquals(b0, b0.withWidthDepth(1.0, 1.0));
        assertNotEquals(b0, b0.withWidthDepth(1.0, 1.1));
        assertEquals(Presets.efficientnetB1().params(), b0.withWidthDepth(1.0, 1.1).params());
        // withers do not touch the original
        assertEquals(1000, b0.numClasses());
        assertEquals(3, b0.inChannels());
    }

    /** Head rule per source: they agree at the presets and differ with overrides. */
    @Test
    void headRules() {
        // torchvision V1: 4 x last stage (4 x 80 = 320); timm: round_filters(1280 * 0.26) = 336
        ModelSpec tv = Presets.get("efficientnet_b0", 0.26, 0.5, 10);
        ModelSpec tf = Presets.get("tf_efficientnet_b0", 0.26, 0.5, 10);
        assertEquals(320, tv.headChannels());
        assertEquals(336, tf.headChannels());
        assertEquals(202_032, tv.params());     // measured with torchvision 0.14
        assertEquals(203_504, tf.params());
        // torchvision cross-checks at other multipliers
        assertEquals(15_505_724, Presets.get("efficientnet_b0", 1.3, 1.7, 1000).params());
        assertEquals(781_397, Presets.get("efficientnet_b0", 0.6, 0.3, 5).params());
        for (int b = 0; b <= 7; b++) {
            assertEquals(Presets.get("efficientnet_b" + b).headChannels(),
                    Presets.get("tf_efficientnet_b" + b).headChannels());
        }
        // V2: torchvision fixed 1280; timm tf_efficientnetv2_s round_filters(1280); m/l/xl fixed
        assertEquals(1280, Presets.get("efficientnet_v2_s", 0.25, 0.25, 10).headChannels());
        assertEquals(320, Presets.get("tf_efficientnetv2_s", 0.25, 0.25, 10).headChannels());
        assertEquals(1280, Presets.get("tf_efficientnetv2_m", 0.5, 1.0, 10).headChannels());
        assertEquals(640, Presets.get("tf_efficientnetv2_b0", 0.5, 1.0, 10).headChannels());
        assertEquals(HeadRule.FOUR_X_LAST_STAGE, Presets.efficientnetB0().architecture().headRule());
        assertEquals(HeadRule.SCALED, Presets.tfEfficientnetB0().architecture().headRule());
    }

    @Test
    void roundLimitsPerPreset() {
        assertEquals(0.9, Presets.efficientnetB3().architecture().roundLimit());
        assertEquals(0.9, Presets.tfEfficientnetB3().architecture().roundLimit());
        assertEquals(0.0, Presets.tfEfficientnetV2B3().architecture().roundLimit());
        assertEquals(0.9, Presets.tfEfficientnetV2S().architecture().roundLimit());   // timm keeps the 10% rule
        assertEquals(0.9, Presets.efficientnetV2S().architecture().roundLimit());     // torchvision adjust_channels
        assertEquals(0.9, ModelFamily.EFFICIENTNET_V1.defaultRoundLimit());
        assertEquals(0.0, ModelFamily.EFFICIENTNET_V2.defaultRoundLimit());
        // timm's tf_efficientnetv2_s keeps the 10% rule where automl drops it: at width 0.3 stage 3 is
        // 64 * 0.3 = 19.2 -> 16, which loses more than 10% -> 24 (timm) but stays 16 (automl)
        ModelSpec timm = Presets.get("tf_efficientnetv2_s", 0.3, 1.0, 10);
        assertEquals(24, timm.stages().get(2).outChannels());
        ModelSpec automl = timm.withArchitecture(timm.architecture().withRoundLimit(Scaling.V2_ROUND_LIMIT));
        assertEquals(16, automl.stages().get(2).outChannels());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // name, padding, eps, momentum, train, eval, dropout, mean0, crop, interpolation, family
            "efficientnet_b0, SYMMETRIC, 1e-5, 0.1, 224, 224, 0.2, 0.485, 0.875, BICUBIC, EFFICIENTNET_V1",
            "efficientnet_b4, SYMMETRIC, 1e-5, 0.1, 380, 380, 0.4, 0.485, 0.922, BICUBIC, EFFICIENTNET_V1",
            "efficientnet_b5, SYMMETRIC, 1e-3, 0.01, 456, 456, 0.4, 0.485, 0.934, BICUBIC, EFFICIENTNET_V1",
            "efficientnet_b7, SYMMETRIC, 1e-3, 0.01, 600, 600, 0.5, 0.485, 0.949, BICUBIC, EFFICIENTNET_V1",
            "efficientnet_v2_s, SYMMETRIC, 1e-3, 0.1, 300, 384, 0.2, 0.485, 1.0, BILINEAR, EFFICIENTNET_V2",
            "efficientnet_v2_m, SYMMETRIC, 1e-3, 0.1, 384, 480, 0.3, 0.485, 1.0, BILINEAR, EFFICIENTNET_V2",
            "efficientnet_v2_l, SYMMETRIC, 1e-3, 0.1, 384, 480, 0.4, 0.5, 1.0, BICUBIC, EFFICIENTNET_V2",
            "tf_efficientnet_b0, TF_SAME, 1e-3, 0.01, 224, 224, 0.2, 0.485, 0.875, BICUBIC, EFFICIENTNET_V1",
            "tf_efficientnet_b2, TF_SAME, 1e-3, 0.01, 260, 260, 0.3, 0.485, 0.890, BICUBIC, EFFICIENTNET_V1",
            "tf_efficientnet_b6, TF_SAME, 1e-3, 0.01, 528, 528, 0.5, 0.485, 0.942, BICUBIC, EFFICIENTNET_V1",
            "tf_efficientnetv2_b0, TF_SAME, 1e-3, 0.1, 192, 224, 0.2, 0.485, 0.875, BICUBIC, EFFICIENTNET_V2",
            "tf_efficientnetv2_b3, TF_SAME, 1e-3, 0.1, 240, 300, 0.3, 0.485, 0.904, BICUBIC, EFFICIENTNET_V2",
            "tf_efficientnetv2_s, TF_SAME, 1e-3, 0.1, 300, 384, 0.2, 0.5, 1.0, BICUBIC, EFFICIENTNET_V2",
            "tf_efficientnetv2_m, TF_SAME, 1e-3, 0.1, 384, 480, 0.3, 0.5, 1.0, BICUBIC, EFFICIENTNET_V2",
            "tf_efficientnetv2_l, TF_SAME, 1e-3, 0.1, 384, 480, 0.4, 0.5, 1.0, BICUBIC, EFFICIENTNET_V2",
            "tf_efficientnetv2_xl, TF_SAME, 1e-3, 0.1, 384, 512, 0.4, 0.5, 1.0, BICUBIC, EFFICIENTNET_V2",
    })
    void presetConventions(String name, Padding padding, double eps, double momentum, int train, int eval,
                           double dropout, double mean0, double crop, Interpolation interp, ModelFamily family) {
        ModelSpec s = Presets.get(name);
        assertEquals(padding, s.padding());
        assertEquals(eps, s.bnEps());
        assertEquals(momentum, s.bnMomentum());
        assertEquals(train, s.trainResolution());
        assertEquals(eval, s.evalResolution());
        assertEquals(dropout, s.dropoutRate());
        assertEquals(0.2, s.dropPathRate());
        assertEquals(mean0, s.preprocessing().mean().get(0));
        assertEquals(crop, s.preprocessing().cropFraction());
        assertEquals(interp, s.preprocessing().interpolation());
        assertEquals(family, s.family());
        assertEquals(Activation.SILU, s.activation());
        assertEquals(1000, s.numClasses());
        assertEquals(3, s.inChannels());
        assertEquals(s.preprocessing().mean().get(0) == 0.5 ? 0.5 : 0.229, s.preprocessing().std().get(0));
    }

    @Test
    void preprocessing() {
        assertEquals(256, Presets.efficientnetB0().preprocessing().resizeSize(224));
        assertEquals(384, Presets.tfEfficientnetV2S().preprocessing().resizeSize(384));
        assertEquals(272, Presets.tfEfficientnetB1().preprocessing().resizeSize(240));   // floor(240 / 0.882)
        assertThrows(IllegalArgumentException.class,
                () -> new Preprocessing(List.of(0.5), List.of(0.5, 0.5), 1.0, Interpolation.BILINEAR));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.imagenet(0, Interpolation.BILINEAR));
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.imagenet(1.1, Interpolation.BILINEAR));
    }

    @Test
    void padding() {
        // TF SAME: stride 2 on an even input pads only after; on an odd input symmetric
        assertEquals(new Padding.Amount(0, 1), Padding.TF_SAME.amount(224, 3, 2));
        assertEquals(new Padding.Amount(1, 1), Padding.TF_SAME.amount(225, 3, 2));
        assertEquals(new Padding.Amount(1, 2), Padding.TF_SAME.amount(224, 5, 2));
        assertEquals(new Padding.Amount(2, 2), Padding.TF_SAME.amount(224, 5, 1));
        assertEquals(new Padding.Amount(0, 0), Padding.TF_SAME.amount(7, 1, 1));
        assertEquals(new Padding.Amount(1, 1), Padding.SYMMETRIC.amount(224, 3, 2));
        assertEquals(new Padding.Amount(2, 2), Padding.SYMMETRIC.amount(224, 5, 2));
        assertEquals(new Padding.Amount(4, 4), Padding.SYMMETRIC.amount(224, 5, 1, 2));
        assertEquals(new Padding.Amount(3, 3), Padding.TF_SAME.amount(10, 3, 1, 3));
        for (int in = 1; in <= 70; in++) {
            for (int k = 1; k <= 7; k += 2) {
                for (int s = 1; s <= 2; s++) {
                    int ceil = (in + s - 1) / s;
                    assertEquals(ceil, Padding.TF_SAME.outputSize(in, k, s), in + " " + k + " " + s);
                    assertEquals(ceil, Padding.SYMMETRIC.outputSize(in, k, s), in + " " + k + " " + s);
                }
            }
        }
        assertEquals(3, Padding.SYMMETRIC.outputSize(6, 4, 2));   // even kernel: floor((6 + 2 - 4) / 2) + 1
        assertEquals(3, Padding.TF_SAME.outputSize(6, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> Padding.SYMMETRIC.outputSize(0, 3, 1));
    }

    @Test
    void validation() {
        ModelSpec b0 = Presets.efficientnetB0();
        assertThrows(IllegalArgumentException.class, () -> b0.withWidthDepth(0, 1));
        assertThrows(IllegalArgumentException.class, () -> b0.withWidthDepth(1, -1));
        assertThrows(IllegalArgumentException.class, () -> b0.withNumClasses(-1));
        assertThrows(IllegalArgumentException.class, () -> b0.withInChannels(0));
        assertThrows(IllegalArgumentException.class, () -> b0.withDropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> b0.withDropPath(-0.1));
        assertThrows(IllegalArgumentException.class, () -> b0.withBatchNorm(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> b0.withBatchNorm(1e-3, 0.99 + 0.02));
        assertThrows(IllegalArgumentException.class, () -> b0.withResolution(0, 224));
        assertThrows(IllegalArgumentException.class, () -> b0.withName(" "));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.mbconv(6, 4, 1, 16, 24, 1, 0.25));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.mbconv(6, 3, 3, 16, 24, 1, 0.25));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.mbconv(6, 3, 1, 16, 24, 0, 0.25));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.mbconv(0, 3, 1, 16, 24, 1, 0.25));
        assertThrows(IllegalArgumentException.class, () -> StageSpec.mbconv(6, 3, 1, 16, 24, 1, 1.5));
        assertThrows(IllegalArgumentException.class,
                () -> new StageSpec(BlockType.FUSED_MBCONV, 1, 3, 1, 24, 24, 1, 0.25));
        // broken chain: stage 1 in must equal the stem
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Architecture.of(ModelFamily.EFFICIENTNET_V1, 32, List.of(StageSpec.mbconv(1, 3, 1, 24, 16, 1, 0.25))));
        assertTrue(e.getMessage().contains("stem"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Architecture.of(ModelFamily.EFFICIENTNET_V1, 32, List.of(
                StageSpec.mbconv(1, 3, 1, 32, 16, 1, 0.25), StageSpec.mbconv(6, 3, 2, 24, 24, 1, 0.25))));
        assertThrows(IllegalArgumentException.class, () -> Architecture.of(ModelFamily.EFFICIENTNET_V1, 32, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new BlockSpec(0, 0, 0, BlockType.MBCONV,
                16, 96, 16, 6, 3, 1, 4, false, 0.0));   // residual must be set when stride 1 and in == out
        assertThrows(IllegalArgumentException.class, () -> new BlockSpec(0, 0, 0, BlockType.MBCONV,
                16, 90, 24, 1, 3, 2, 4, false, 0.0));   // expand 1: mid must be in (a forced width, D34, applies only when expanding)
    }

    @Test
    void customArchitecture() {
        List<StageSpec> table = BlockStrings.parseTimm(List.of("cn_r1_k3_s1_e1_c16_skip", "er_r2_k3_s2_e4_c24",
                "ir_r2_k3_s2_e4_c48_se0.25"), 16);
        ModelSpec tiny = ModelSpec.of("tiny", Architecture.of(ModelFamily.EFFICIENTNET_V2, 16, table)
                .withHead(HeadRule.FIXED, 256)).withNumClasses(10).withInChannels(1);
        assertEquals(5, tiny.totalBlocks());
        assertEquals(256, tiny.headChannels());
        assertTrue(tiny.blocks().get(0).hasResidual());   // 16 -> 16, stride 1
        long expected = (1 * 16 * 9 + 32)                                   // stem
                + (16 * 16 * 9 + 32)                                        // cn
                + (16 * 64 * 9 + 128 + 64 * 24 + 48)                        // er 16 -> 64 -> 24
                + (24 * 96 * 9 + 192 + 96 * 24 + 48)                        // er 24 -> 96 -> 24
                + (24 * 96 + 192 + 96 * 9 + 192 + (96 * 6 + 6 + 6 * 96 + 96) + 96 * 48 + 96)    // ir 24 -> 96 -> 48
                + (48 * 192 + 384 + 192 * 9 + 384 + (192 * 12 + 12 + 12 * 192 + 192) + 192 * 48 + 96)
                + (48 * 256 + 512)                                          // head
                + (256 * 10 + 10);                                          // classifier
        assertEquals(expected, tiny.params());
    }
}
