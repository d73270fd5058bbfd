package dev.efficientnet.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** timm and automl block strings: the upstream tables parse to the built-in ones, and round trips. */
class BlockStringsTest {

    // The tables as written upstream (timm efficientnet.py arch_def, automl effnetv2_configs.py).
    static final List<String> TIMM_B0 = List.of(
            "ds_r1_k3_s1_e1_c16_se0.25", "ir_r2_k3_s2_e6_c24_se0.25", "ir_r2_k5_s2_e6_c40_se0.25",
            "ir_r3_k3_s2_e6_c80_se0.25", "ir_r3_k5_s1_e6_c112_se0.25", "ir_r4_k5_s2_e6_c192_se0.25",
            "ir_r1_k3_s1_e6_c320_se0.25");
    static final List<String> TIMM_V2_BASE = List.of(
            "cn_r1_k3_s1_e1_c16_skip", "er_r2_k3_s2_e4_c32", "er_r2_k3_s2_e4_c48",
            "ir_r3_k3_s2_e4_c96_se0.25", "ir_r5_k3_s1_e6_c112_se0.25", "ir_r8_k3_s2_e6_c192_se0.25");
    static final List<String> TIMM_V2_S = List.of(
            "cn_r2_k3_s1_e1_c24_skip", "er_r4_k3_s2_e4_c48", "er_r4_k3_s2_e4_c64",
            "ir_r6_k3_s2_e4_c128_se0.25", "ir_r9_k3_s1_e6_c160_se0.25", "ir_r15_k3_s2_e6_c256_se0.25");
    static final List<String> TIMM_V2_M = List.of(
            "cn_r3_k3_s1_e1_c24_skip", "er_r5_k3_s2_e4_c48", "er_r5_k3_s2_e4_c80",
            "ir_r7_k3_s2_e4_c160_se0.25", "ir_r14_k3_s1_e6_c176_se0.25", "ir_r18_k3_s2_e6_c304_se0.25",
            "ir_r5_k3_s1_e6_c512_se0.25");
    static final List<String> TIMM_V2_L = List.of(
            "cn_r4_k3_s1_e1_c32_skip", "er_r7_k3_s2_e4_c64", "er_r7_k3_s2_e4_c96",
            "ir_r10_k3_s2_e4_c192_se0.25", "ir_r19_k3_s1_e6_c224_se0.25", "ir_r25_k3_s2_e6_c384_se0.25",
            "ir_r7_k3_s1_e6_c640_se0.25");
    static final List<String> TIMM_V2_XL = List.of(
            "cn_r4_k3_s1_e1_c32_skip", "er_r8_k3_s2_e4_c64", "er_r8_k3_s2_e4_c96",
            "ir_r16_k3_s2_e4_c192_se0.25", "ir_r24_k3_s1_e6_c256_se0.25", "ir_r32_k3_s2_e6_c512_se0.25",
            "ir_r8_k3_s1_e6_c640_se0.25");

    static final List<String> AUTOML_B0 = List.of(
            "r1_k3_s1_e1_i32_o16_se0.25", "r2_k3_s2_e6_i16_o24_se0.25", "r2_k5_s2_e6_i24_o40_se0.25",
            "r3_k3_s2_e6_i40_o80_se0.25", "r3_k5_s1_e6_i80_o112_se0.25", "r4_k5_s2_e6_i112_o192_se0.25",
            "r1_k3_s1_e6_i192_o320_se0.25");
    static final List<String> AUTOML_V2_BASE = List.of(
            "r1_k3_s1_e1_i32_o16_c1", "r2_k3_s2_e4_i16_o32_c1", "r2_k3_s2_e4_i32_o48_c1",
            "r3_k3_s2_e4_i48_o96_se0.25", "r5_k3_s1_e6_i96_o112_se0.25", "r8_k3_s2_e6_i112_o192_se0.25");
    static final List<String> AUTOML_V2_S = List.of(
            "r2_k3_s1_e1_i24_o24_c1", "r4_k3_s2_e4_i24_o48_c1", "r4_k3_s2_e4_i48_o64_c1",
            "r6_k3_s2_e4_i64_o128_se0.25", "r9_k3_s1_e6_i128_o160_se0.25", "r15_k3_s2_e6_i160_o256_se0.25");
    static final List<String> AUTOML_V2_M = List.of(
            "r3_k3_s1_e1_i24_o24_c1", "r5_k3_s2_e4_i24_o48_c1", "r5_k3_s2_e4_i48_o80_c1",
            "r7_k3_s2_e4_i80_o160_se0.25", "r14_k3_s1_e6_i160_o176_se0.25", "r18_k3_s2_e6_i176_o304_se0.25",
            "r5_k3_s1_e6_i304_o512_se0.25");
    static final List<String> AUTOML_V2_L = List.of(
            "r4_k3_s1_e1_i32_o32_c1", "r7_k3_s2_e4_i32_o64_c1", "r7_k3_s2_e4_i64_o96_c1",
            "r10_k3_s2_e4_i96_o192_se0.25", "r19_k3_s1_e6_i192_o224_se0.25", "r25_k3_s2_e6_i224_o384_se0.25",
            "r7_k3_s1_e6_i384_o640_se0.25");
    static final List<String> AUTOML_V2_XL = List.of(
            "r4_k3_s1_e1_i32_o32_c1", "r8_k3_s2_e4_i32_o64_c1", "r8_k3_s2_e4_i64_o96_c1",
            "r16_k3_s2_e4_i96_o192_se0.25", "r24_k3_s1_e6_i192_o256_se0.25", "r32_k3_s2_e6_i256_o512_se0.25",
            "r8_k3_s1_e6_i512_o640_se0.25");

    static Stream<Arguments> tables() {
        return Stream.of(
                Arguments.of("B0", StageTables.EFFICIENTNET_B0, 32, TIMM_B0, AUTOML_B0),
                Arguments.of("V2 base", StageTables.EFFICIENTNETV2_BASE, 32, TIMM_V2_BASE, AUTOML_V2_BASE),
                Arguments.of("V2-S", StageTables.EFFICIENTNETV2_S, 24, TIMM_V2_S, AUTOML_V2_S),
                Arguments.of("V2-M", StageTables.EFFICIENTNETV2_M, 24, TIMM_V2_M, AUTOML_V2_M),
                Arguments.of("V2-L", StageTables.EFFICIENTNETV2_L, 32, TIMM_V2_L, AUTOML_V2_L),
                Arguments.of("V2-XL", StageTables.EFFICIENTNETV2_XL, 32, TIMM_V2_XL, AUTOML_V2_XL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void upstreamStringsParseToTheTables(String name, List<StageSpec> table, int stem, List<String> timm,
                                         List<String> automl) {
        assertEquals(table, BlockStrings.parseTimm(timm, stem));
        assertEquals(table, BlockStrings.parseAutoml(automl));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void tablesFormatToTheUpstreamStrings(String name, List<StageSpec> table, int stem, List<String> timm,
                                          List<String> automl) {
        assertEquals(timm, BlockStrings.formatTimm(table));
        assertEquals(automl, BlockStrings.formatAutoml(table));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void roundTrips(String name, List<StageSpec> table, int stem, List<String> timm, List<String> automl) {
        for (StageSpec s : table) {
            assertEquals(s, BlockStrings.parseTimm(BlockStrings.formatTimm(s), s.inChannels()));
            assertEquals(s, BlockStrings.parseAutoml(BlockStrings.formatAutoml(s)));
        }
        for (String s : timm) {
            assertEquals(s, BlockStrings.formatTimm(BlockStrings.parseTimm(s, 8)));
        }
        for (String s : automl) {
            assertEquals(s, BlockStrings.formatAutoml(BlockStrings.parseAutoml(s)));
        }
    }

    /** Every resolved preset stage survives both notations too (scaled channels, other SE ratios). */
    @Test
    void resolvedPresetStagesRoundTrip() {
        for (String n : Presets.names()) {
            ModelSpec spec = Presets.get(n);
            List<StageSpec> stages = spec.stages();
            assertEquals(stages, BlockStrings.parseTimm(BlockStrings.formatTimm(stages), spec.stemChannels()), n);
            if (stages.stream().anyMatch(s -> s.forceInChannels() > 0))   // EdgeTPU: automl strings have no 'fc'
                assertThrows(IllegalArgumentException.class, () -> BlockStrings.formatAutoml(stages), n);
            else assertEquals(stages, BlockStrings.parseAutoml(BlockStrings.formatAutoml(stages)), n);
        }
        StageSpec odd = StageSpec.mbconv(3, 7, 2, 40, 56, 5, 0.0625);
        assertEquals("ir_r5_k7_s2_e3_c56_se0.0625", BlockStrings.formatTimm(odd));
        assertEquals(odd, BlockStrings.parseTimm("ir_r5_k7_s2_e3_c56_se0.0625", 40));
        StageSpec fusedSe = new StageSpec(BlockType.FUSED_MBCONV, 4, 3, 2, 24, 48, 2, 0.25);
        assertEquals("r2_k3_s2_e4_i24_o48_c1_se0.25", BlockStrings.formatAutoml(fusedSe));
        assertEquals(fusedSe, BlockStrings.parseAutoml("r2_k3_s2_e4_i24_o48_c1_se0.25"));
        assertEquals(fusedSe, BlockStrings.parseTimm("er_r2_k3_s2_e4_c48_se0.25", 24));
    }

    @Test
    void nonCanonicalSpellingsAreAccepted() {
        // TF V1 two-digit strides, token order, explicit c0 / e1
        assertEquals(StageTables.EFFICIENTNET_B0.get(0), BlockStrings.parseAutoml("r1_k3_s11_e1_i32_o16_se0.25"));
        assertEquals(StageTables.EFFICIENTNET_B0.get(1), BlockStrings.parseAutoml("r2_k3_s22_e6_i16_o24_se0.25"));
        assertEquals(StageTables.EFFICIENTNET_B0.get(1), BlockStrings.parseAutoml("o24_i16_se0.25_e6_s2_k3_r2_c0"));
        assertEquals(StageTables.EFFICIENTNET_B0.get(0), BlockStrings.parseTimm("ds_r1_k3_s1_c16_se0.25", 32));
        assertEquals("r1_k3_s1_e1_i32_o16_se0.25",
                BlockStrings.formatAutoml(BlockStrings.parseAutoml("r1_k3_s11_e1_i32_o16_se0.250")));
    }

    @ParameterizedTest(name = "timm {0}")
    @CsvSource(delimiter = '|', value = {
            "xx_r1_k3_s1_e1_c16                | xx",
            "ir_r2_k3_s2_e6_c24_zz9            | zz9",
            "ir_r2_k3_s2_e6_c24_a1             | a1",
            "ir_r2_k3.5_s2_e6_c24              | k3.5",
            "ir_r2_k3_s2_e6_c24_se0.25_noskip  | noskip",
            "ir_r2_k3_s2_e6_c24_skip           | skip",
            "ir_r2_k3_s3_e6_c24                | s3",
            "ir_r2_k4_s2_e6_c24                | k4",
            "ir_r0_k3_s2_e6_c24                | r0",
            "ir_r2_k3_s2_e6_c24_c32            | c32",
            "ir_r2_k3_s2_e1_c24                | e1",
            "ir_r2_k3_s2_e1.5_c24              | e1.5",
            "ds_r1_k3_s1_e6_c16                | e6",
            "cn_r2_k3_s1_e1_c24                | cn",
            "cn_r2_k3_s1_e1_c24_se0.25_skip    | se0.25",
            "ir_r2_k3_s2_e6_c24_se1.5          | se1.5",
            "ir_r2_k3_s2_e6_c24_               | ''",
            "ir_r2_k3_s2_e6_c24_sex            | sex",
    })
    void timmErrorsNameTheToken(String bad, String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockStrings.parseTimm(bad, 16));
        assertTrue(e.getMessage().contains("'" + token + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(bad), e.getMessage());
    }

    @ParameterizedTest(name = "automl {0}")
    @CsvSource(delimiter = '|', value = {
            "r2_k3_s2_e4_i24_o48_c2        | c2",
            "r2_k3_s2_e4_i24_o48_q7        | q7",
            "r2_k3_s2_e4_i24_o48_noskip    | noskip",
            "r2_k3_s2_e4_i24_o48_f1        | f1",
            "r2_k3_s21_e4_i24_o48          | s21",
            "r2_k3_s2_e4_i2x_o48           | i2x",
            "r1_k3_s1_e1_i24_o24_c1_se0.25 | se0.25",
            "r2_k3_s2_e4_i0_o48            | i0",
            "r2_k3_s2_e0_i24_o48           | e0",
            "r2_k3_s2_e4_e4_i24_o48        | e4",
    })
    void automlErrorsNameTheToken(String bad, String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockStrings.parseAutoml(bad));
        assertTrue(e.getMessage().contains("'" + token + "'"), e.getMessage());
    }

    @Test
    void missingOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockStrings.parseAutoml("r2_k3_s2_e4_o48"));
        assertTrue(e.getMessage().contains("'i'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BlockStrings.parseTimm("ir_r2_k3_s2_e6", 16));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BlockStrings.parseTimm("", 16));
        assertThrows(IllegalArgumentException.class, () -> BlockStrings.parseAutoml((String) null));
    }
}
