package dev.efficientnet.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The derived channel/repeat tables of shared/reference/landscape.md section 2. */
class DerivedTablesTest {

    private static List<Integer> ints(String s) {
        List<Integer> out = new ArrayList<>();
        for (String t : s.trim().split("\\s+")) {
            out.add(Integer.parseInt(t));
        }
        return out;
    }

    private static List<Integer> outs(ModelSpec spec) {
        List<Integer> out = new ArrayList<>();
        for (StageSpec s : spec.stages()) {
            out.add(s.outChannels());
        }
        return out;
    }

    private static List<Integer> repeats(ModelSpec spec) {
        List<Integer> out = new ArrayList<>();
        for (StageSpec s : spec.stages()) {
            out.add(s.repeats());
        }
        return out;
    }

    /** Landscape 2.2 (B3 stage 1 = 24 only because of the 10% rule), for both conventions. */
    @ParameterizedTest(name = "B{0}")
    @CsvSource(delimiter = '|', value = {
            "0 | 32 | 16 24 40 80 112 192 320 | 1 2 2 3 3 4 1       | 16 | 1280",
            "1 | 32 | 16 24 40 80 112 192 320 | 2 3 3 4 4 5 2       | 23 | 1280",
            "2 | 32 | 16 24 48 88 120 208 352 | 2 3 3 4 4 5 2       | 23 | 1408",
            "3 | 40 | 24 32 48 96 136 232 384 | 2 3 3 5 5 6 2       | 26 | 1536",
            "4 | 48 | 24 32 56 112 160 272 448 | 2 4 4 6 6 8 2      | 32 | 1792",
            "5 | 48 | 24 40 64 128 176 304 512 | 3 5 5 7 7 9 3      | 39 | 2048",
            "6 | 56 | 32 40 72 144 200 344 576 | 3 6 6 8 8 11 3     | 45 | 2304",
            "7 | 64 | 32 48 80 160 224 384 640 | 4 7 7 10 10 13 4   | 55 | 2560",
    })
    void v1(int b, int stem, String outs, String repeats, int blocks, int head) {
        for (String prefix : new String[] {"efficientnet_b", "tf_efficientnet_b"}) {
            ModelSpec spec = Presets.get(prefix + b);
            assertEquals(stem, spec.stemChannels(), prefix + b);
            assertEquals(ints(outs), outs(spec), prefix + b);
            assertEquals(ints(repeats), repeats(spec), prefix + b);
            assertEquals(blocks, spec.totalBlocks());
            assertEquals(blocks, spec.blocks().size());
            assertEquals(head, spec.headChannels());
            // the in channels chain: stem -> stage 1 -> ... (torchvision rounds in and out separately)
            int in = stem;
            for (StageSpec s : spec.stages()) {
                assertEquals(in, s.inChannels());
                in = s.outChannels();
            }
        }
    }

    /** Landscape 2.3 derived V2 rows (no 10% rule for V2-B*: V2-B3 stage 1 stays 16). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "tf_efficientnetv2_b0 | 32 | 16 32 48 96 112 192          | 1 2 2 3 5 8            | 21  | 1280",
            "tf_efficientnetv2_b1 | 32 | 16 32 48 96 112 192          | 2 3 3 4 6 9            | 27  | 1280",
            "tf_efficientnetv2_b2 | 32 | 16 32 56 104 120 208         | 2 3 3 4 6 10           | 28  | 1408",
            "tf_efficientnetv2_b3 | 40 | 16 40 56 112 136 232         | 2 3 3 5 7 12           | 32  | 1536",
            "tf_efficientnetv2_s  | 24 | 24 48 64 128 160 256         | 2 4 4 6 9 15           | 40  | 1280",
            "efficientnet_v2_s    | 24 | 24 48 64 128 160 256         | 2 4 4 6 9 15           | 40  | 1280",
            "tf_efficientnetv2_m  | 24 | 24 48 80 160 176 304 512     | 3 5 5 7 14 18 5        | 57  | 1280",
            "efficientnet_v2_m    | 24 | 24 48 80 160 176 304 512     | 3 5 5 7 14 18 5        | 57  | 1280",
            "tf_efficientnetv2_l  | 32 | 32 64 96 192 224 384 640     | 4 7 7 10 19 25 7       | 79  | 1280",
            "efficientnet_v2_l    | 32 | 32 64 96 192 224 384 640     | 4 7 7 10 19 25 7       | 79  | 1280",
            "tf_efficientnetv2_xl | 32 | 32 64 96 192 256 512 640     | 4 8 8 16 24 32 8       | 100 | 1280",
    })
    void v2(String name, int stem, String outs, String repeats, int blocks, int head) {
        ModelSpec spec = Presets.get(name);
        assertEquals(stem, spec.stemChannels());
        assertEquals(ints(outs), outs(spec));
        assertEquals(ints(repeats), repeats(spec));
        assertEquals(blocks, spec.totalBlocks());
        assertEquals(head, spec.headChannels());
    }

    /** The per-family rule matters: the V1 rule would make V2-B3 stage 1 24 wide. */
    @ParameterizedTest(name = "round limit {0} -> V2-B3 stage 1 = {1}")
    @CsvSource({"0.0, 16", "0.9, 24"})
    void v2b3Stage1DependsOnRoundLimit(double limit, int expected) {
        ModelSpec b3 = Presets.tfEfficientnetV2B3();
        ModelSpec changed = b3.withArchitecture(b3.architecture().withRoundLimit(limit));
        assertEquals(expected, changed.stages().get(0).outChannels());
        assertEquals(Arrays.asList(16, 16), List.of(b3.stages().get(0).outChannels(), b3.stages().get(1).inChannels()));
    }
}
