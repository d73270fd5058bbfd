package dev.efficientnet.models.spec;

import static dev.efficientnet.models.spec.StageSpec.fused;
import static dev.efficientnet.models.spec.StageSpec.mbconv;

import java.util.List;

/**
 * The base (unscaled) stage tables, one literal list per network, as in TF/automl
 * {@code effnetv2_configs.py}, Keras {@code DEFAULT_BLOCKS_ARGS}, timm {@code arch_def} and
 * torchvision {@code _efficientnet_conf}. Columns: expand, kernel, stride, in, out, repeats, SE.
 */
public final class StageTables {
    private StageTables() {
    }

    /** EfficientNet-B0 (V1; B1&ndash;B7 scale it), stem 32, head 1280. */
    public static final List<StageSpec> EFFICIENTNET_B0 = List.of(
            //     e  k  s   in  out  r   se
            mbconv(1, 3, 1,  32,  16, 1, 0.25),
            mbconv(6, 3, 2,  16,  24, 2, 0.25),
            mbconv(6, 5, 2,  24,  40, 2, 0.25),
            mbconv(6, 3, 2,  40,  80, 3, 0.25),
            mbconv(6, 5, 1,  80, 112, 3, 0.25),
            mbconv(6, 5, 2, 112, 192, 4, 0.25),
            mbconv(6, 3, 1, 192, 320, 1, 0.25));

    /**
     * EfficientNet-Lite0 (Lite1&ndash;4 scale it): the B0 table without squeeze-excite (timm
     * {@code _gen_efficientnet_lite}); stem 32 and head 1280 are not scaled, nor are the repeats of
     * the first and last stage.
     */
    public static final List<StageSpec> EFFICIENTNET_LITE0 = List.of(
            //     e  k  s   in  out  r  se
            mbconv(1, 3, 1,  32,  16, 1, 0),
            mbconv(6, 3, 2,  16,  24, 2, 0),
            mbconv(6, 5, 2,  24,  40, 2, 0),
            mbconv(6, 3, 2,  40,  80, 3, 0),
            mbconv(6, 5, 1,  80, 112, 3, 0),
            mbconv(6, 5, 2, 112, 192, 4, 0),
            mbconv(6, 3, 1, 192, 320, 1, 0));

    /**
     * EfficientNet-EdgeTPU-S (M and L scale it; timm {@code _gen_efficientnet_edge}): Fused-MBConv
     * stages, then MBConv, no squeeze-excite; stem 32, head 1280. The first block expands from a
     * forced width of 24 (timm {@code fc24}): 32 in, 24 &times; 4 = 96 mid.
     */
    public static final List<StageSpec> EFFICIENTNET_EDGETPU_S = List.of(
            //     e  k  s   in  out  r  se
            fused( 4, 3, 1,  32,  24, 1).withForceInChannels(24),
            fused( 8, 3, 2,  24,  32, 2),
            fused( 8, 3, 2,  32,  48, 4),
            mbconv(8, 5, 2,  48,  96, 5, 0),
            mbconv(8, 5, 1,  96, 144, 4, 0),
            mbconv(8, 5, 2, 144, 192, 2, 0));

    /** EfficientNetV2 base (B0; B1&ndash;B3 scale it), stem 32, head 1280. */
    public static final List<StageSpec> EFFICIENTNETV2_BASE = List.of(
            //     e  k  s   in  out  r   se
            fused( 1, 3, 1,  32,  16, 1),
            fused( 4, 3, 2,  16,  32, 2),
            fused( 4, 3, 2,  32,  48, 2),
            mbconv(4, 3, 2,  48,  96, 3, 0.25),
            mbconv(6, 3, 1,  96, 112, 5, 0.25),
            mbconv(6, 3, 2, 112, 192, 8, 0.25));

    /** EfficientNetV2-S, stem 24, head 1280. */
    public static final List<StageSpec> EFFICIENTNETV2_S = List.of(
            //     e  k  s   in  out   r   se
            fused( 1, 3, 1,  24,  24,  2),
            fused( 4, 3, 2,  24,  48,  4),
            fused( 4, 3, 2,  48,  64,  4),
            mbconv(4, 3, 2,  64, 128,  6, 0.25),
            mbconv(6, 3, 1, 128, 160,  9, 0.25),
            mbconv(6, 3, 2, 160, 256, 15, 0.25));

    /** EfficientNetV2-M, stem 24, head 1280. */
    public static final List<StageSpec> EFFICIENTNETV2_M = List.of(
            //     e  k  s   in  out   r   se
            fused( 1, 3, 1,  24,  24,  3),
            fused( 4, 3, 2,  24,  48,  5),
            fused( 4, 3, 2,  48,  80,  5),
            mbconv(4, 3, 2,  80, 160,  7, 0.25),
            mbconv(6, 3, 1, 160, 176, 14, 0.25),
            mbconv(6, 3, 2, 176, 304, 18, 0.25),
            mbconv(6, 3, 1, 304, 512,  5, 0.25));

    /** EfficientNetV2-L, stem 32, head 1280. */
    public static final List<StageSpec> EFFICIENTNETV2_L = List.of(
            //     e  k  s   in  out   r   se
            fused( 1, 3, 1,  32,  32,  4),
            fused( 4, 3, 2,  32,  64,  7),
            fused( 4, 3, 2,  64,  96,  7),
            mbconv(4, 3, 2,  96, 192, 10, 0.25),
            mbconv(6, 3, 1, 192, 224, 19, 0.25),
            mbconv(6, 3, 2, 224, 384, 25, 0.25),
            mbconv(6, 3, 1, 384, 640,  7, 0.25));

    /** EfficientNetV2-XL (ImageNet-21k pretraining only), stem 32, head 1280. */
    public static final List<StageSpec> EFFICIENTNETV2_XL = List.of(
            //     e  k  s   in  out   r   se
            fused( 1, 3, 1,  32,  32,  4),
            fused( 4, 3, 2,  32,  64,  8),
            fused( 4, 3, 2,  64,  96,  8),
            mbconv(4, 3, 2,  96, 192, 16, 0.25),
            mbconv(6, 3, 1, 192, 256, 24, 0.25),
            mbconv(6, 3, 2, 256, 512, 32, 0.25),
            mbconv(6, 3, 1, 512, 640,  8, 0.25));
}
