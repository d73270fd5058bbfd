package dev.efficientnet.models.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresetFileTest {

    @Test
    void everyPresetRoundTrips(@TempDir Path dir) throws Exception {
        List<ModelSpec> all = new ArrayList<>();
        for (String n : Presets.names()) {
            if (!Presets.isUserPreset(n)) all.add(Presets.get(n).withName("copy_of_" + n));
        }
        Path f = dir.resolve("p.json");
        PresetFile.write(f, all, Map.of("copy_of_efficientnet_b0", Map.of("phi", 0, "name", "ignored")));
        List<ModelSpec> back = PresetFile.read(f);
        assertEquals(all, back);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(all.get(i).params(), back.get(i).params());
            assertEquals(all.get(i).macs(64), back.get(i).macs(64));
        }
    }

    @Test
    void blockStringTablesRoundTrip() {
        List<String> table = List.of("ds_r1_k3_s1_e1_c16_se0.25", "ir_r2_k3_s2_e6_c24_se0.25", "er_r2_k3_s2_e4_c48",
                "cn_r1_k3_s1_e1_c48_skip", "ir_r1_k5_s2_e6_c64");
        List<StageSpec> stages = BlockStrings.parseTimm(table, 32);
        assertEquals(table, BlockStrings.formatTimm(stages));
        ModelSpec s = ModelSpec.of("mine", Architecture.of(ModelFamily.EFFICIENTNET_V2, 32, stages)).withWidthDepth(0.5, 1.3);
        assertEquals(s, PresetFile.fromJson(PresetFile.toJson(s)));
        assertEquals(BlockStrings.formatTimm(StageTables.EFFICIENTNET_B0),
                PresetFile.toJson(Presets.get("efficientnet_b0")).get("blocks"));
    }

    @Test
    void registeredPresetsResolveByName(@TempDir Path dir) throws Exception {
        ModelSpec s = Presets.get("efficientnet_b0").withWidthDepth(0.3, 0.4).withName("test_registered_preset");
        Path f = dir.resolve("r.json");
        PresetFile.write(f, List.of(s), null);
        assertFalse(Presets.contains("test_registered_preset"));
        assertEquals(List.of("test_registered_preset"), PresetFile.register(f));
        assertTrue(Presets.contains("test_registered_preset"));
        assertTrue(Presets.names().contains("test_registered_preset"));
        assertEquals(s, Presets.get("test_registered_preset"));
        assertThrows(IllegalArgumentException.class, () -> Presets.register(s.withName("efficientnet_b0")));
    }

    @Test
    void badFilesNameTheProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"presets\": [{\"name\": \"x\", \"family\": \"EFFICIENTNET_V1\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PresetFile.read(f));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("stem"), e.getMessage());
        Files.writeString(f, "not json");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PresetFile.read(f)).getMessage().contains("JSON"));
        Map<String, Object> m = PresetFile.toJson(Presets.get("efficientnet_b0"));
        m.put("blocks", List.of("ir_r1_k4_s1_e6_c16"));
        e = assertThrows(IllegalArgumentException.class, () -> PresetFile.fromJson(m));
        assertTrue(e.getMessage().contains("k4"), e.getMessage());
    }
}
