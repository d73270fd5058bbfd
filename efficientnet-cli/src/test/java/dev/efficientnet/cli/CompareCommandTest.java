package dev.efficientnet.cli;

import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {

    @Test
    void tableWithoutLatency() {
        CliTestSupport.Run r = run("compare", "efficientnet_b7", "efficientnet_v2_m", "--no-latency");
        assertEquals(0, r.code(), r.describe());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("model") && lines.get(0).contains("params") && lines.get(0).contains("MACs"),
                r.out());
        assertFalse(lines.get(0).contains("latency"), r.out());
        String b7 = lines.get(1);
        String v2m = lines.get(2);
        assertTrue(b7.startsWith("efficientnet_b7") && b7.contains("V1") && b7.contains(Format.millions(Presets.get("efficientnet_b7").params()))
                && b7.contains(" 600") && b7.contains("1.00x"), b7);
        var spec = Presets.get("efficientnet_v2_m");
        var b7spec = Presets.get("efficientnet_b7");
        assertTrue(v2m.startsWith("efficientnet_v2_m") && v2m.contains("V2") && v2m.contains(Format.millions(spec.params()))
                && v2m.contains(Format.giga(spec.macs(480))) && v2m.contains(" 480")
                && v2m.contains(Format.ratio((double) spec.params() / b7spec.params())), v2m);
        assertTrue(r.out().contains("latency not measured"), r.out());
    }

    @Test
    void jsonWithoutLatency() {
        CliTestSupport.Run r = run("compare", "efficientnet_b0", "efficientnet_v2_s", "--no-latency", "--json",
                "--resolution-each", "128");
        assertEquals(0, r.code(), r.describe());
        Map<String, Object> j = r.lastJson();
        List<?> models = (List<?>) j.get("models");
        assertEquals(2, models.size());
        Map<?, ?> b0 = (Map<?, ?>) models.get(0);
        assertEquals("efficientnet_b0", b0.get("arch"));
        assertEquals(5288548L, b0.get("params"));
        assertEquals(128L, b0.get("resolution"));
        assertEquals(224L, b0.get("eval_resolution"));
        assertEquals(Presets.get("efficientnet_b0").macs(128), b0.get("macs"));
        assertNull(b0.get("latency_ms"));
        assertEquals(Boolean.FALSE, j.get("latency_measured"));
    }

    @Test
    void latencyIsMeasuredWhenAsked() {
        // A small input keeps this fast; only the presence and sign of the numbers are checked.
        CliTestSupport.Run r = run("compare", "efficientnet_b0", "--resolution-each", "32", "--warmup", "0",
                "--runs", "1", "--json");
        assertEquals(0, r.code(), r.describe());
        Map<?, ?> b0 = (Map<?, ?>) ((List<?>) r.lastJson().get("models")).get(0);
        assertTrue(((Number) b0.get("latency_ms")).doubleValue() > 0, r.out());
        assertTrue(r.err().contains("measuring efficientnet_b0"), r.err());
    }

    @Test
    void unknownArchFailsBeforeAnyWork() {
        CliTestSupport.Run r = run("compare", "efficientnet_b0", "efficientnet_v3");
        assertEquals(2, r.code(), r.describe());
        assertEquals("", r.out());
        assertTrue(r.err().contains("efficientnet_v3") && r.err().contains("efficientnet_v2_l"), r.err());
        assertFalse(r.err().contains("measuring"), r.err());
    }

    @Test
    void needsAtLeastOneArch() {
        assertEquals(2, run("compare").code());
    }

    @Test
    void measureAddsTrainingTimePerImage() {
        // tiny sizes keep it fast; only the presence and sign of the numbers are checked
        CliTestSupport.Run r = run("compare", "efficientnet_b0", "tf_efficientnetv2_b0", "--resolution-each", "32", "--warmup", "0",
                "--runs", "1", "--measure", "--train-batch", "2", "--json");
        assertEquals(0, r.code(), r.describe());
        Map<String, Object> j = r.lastJson();
        assertEquals(Boolean.TRUE, j.get("train_measured"));
        for (Object o : (List<?>) j.get("models")) {
            Map<?, ?> m = (Map<?, ?>) o;
            assertEquals(32L, m.get("train_resolution"), m.toString());
            assertEquals(2L, m.get("train_batch"), m.toString());
            assertTrue(((Number) m.get("train_ms_per_image")).doubleValue() > 0, m.toString());
            assertTrue(((Number) m.get("train_step_ms")).doubleValue() > 0, m.toString());
            assertTrue(((Number) m.get("latency_ms")).doubleValue() > 0, m.toString());
            assertTrue(((Number) m.get("params")).longValue() > 0 && ((Number) m.get("macs")).longValue() > 0, m.toString());
            assertNull(m.get("train_note"));
        }
        assertTrue(r.err().contains("measuring training of efficientnet_b0 at 32x32, batch 2"), r.err());

        CliTestSupport.Run table = run("compare", "efficientnet_b0", "--resolution-each", "32", "--warmup", "0", "--runs", "1",
                "--measure", "--train-batch", "2");
        assertEquals(0, table.code(), table.describe());
        assertTrue(table.out().lines().findFirst().orElseThrow().contains("train ms/img"), table.out());
        assertTrue(table.out().contains("train: median of 1 SGD step"), table.out());
    }

    @Test
    void aBatchThatDoesNotFitIsHalvedWithANote() {
        CompareCommand.outOfMemoryAt = b -> b > 4;
        try {
            CliTestSupport.Run r = run("compare", "efficientnet_b0", "--resolution-each", "32", "--warmup", "0", "--runs", "1",
                    "--no-latency", "--measure", "--train-batch", "16");
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.out().contains("note: efficientnet_b0: batch 16 did not fit in memory; batch 8 did not fit in memory."), r.out());
            String row = r.out().lines().filter(l -> l.startsWith("efficientnet_b0")).findFirst().orElseThrow();
            assertTrue(row.matches(".*\\s32\\s+4\\s+.*"), row);
            CompareCommand.outOfMemoryAt = b -> true;
            CliTestSupport.Run none = run("compare", "efficientnet_b0", "--resolution-each", "32", "--no-latency", "--measure",
                    "--train-batch", "2", "--json");
            assertEquals(0, none.code(), none.describe());
            Map<?, ?> m = (Map<?, ?>) ((List<?>) none.lastJson().get("models")).get(0);
            assertNull(m.get("train_ms_per_image"));
            assertTrue(String.valueOf(m.get("train_note")).endsWith("not measured"), m.toString());
        } finally {
            CompareCommand.outOfMemoryAt = b -> false;
        }
        assertEquals(2, run("compare", "efficientnet_b0", "--measure", "--train-batch", "0").code());
        // batch 1 with a 1x1 last feature map cannot train (BN needs 2 values): a note, not a failure
        CliTestSupport.Run one = run("compare", "efficientnet_b0", "--resolution-each", "32", "--no-latency", "--measure",
                "--train-batch", "1", "--warmup", "0");
        assertEquals(0, one.code(), one.describe());
        assertTrue(one.out().contains("note: efficientnet_b0: a training step at batch 1 is impossible"), one.out());
    }

    @Test
    void theBatchIsChosenFromTheMeasuredMemoryPerImage() {
        CompareCommand.availableBytes = () -> 1L;   // nothing available: not even one image is projected to fit
        try {
            CliTestSupport.Run r = run("compare", "efficientnet_b0", "--resolution-each", "64", "--warmup", "0", "--runs", "1",
                    "--no-latency", "--measure", "--train-batch", "8", "--json");
            assertEquals(0, r.code(), r.describe());
            Map<?, ?> m = (Map<?, ?>) ((List<?>) r.lastJson().get("models")).get(0);
            assertNull(m.get("train_batch"), m.toString());
            assertNull(m.get("train_ms_per_image"), m.toString());
            String note = String.valueOf(m.get("train_note"));
            assertTrue(note.startsWith("one image needs ~") && note.endsWith("available: not measured"), note);
            assertTrue(r.err().contains("probing the memory") && r.err().contains("MB per image at batch 2"), r.err());
            assertFalse(r.err().contains("measuring training of"), "nothing is tried: " + r.err());
        } finally {
            CompareCommand.availableBytes = MemoryProbe::availableBytes;
        }
        assertTrue(MemoryProbe.residentBytes() > 0 && MemoryProbe.availableBytes() > 0, "JavaCPP reads the memory sizes here");
    }

    @Test
    void batchChoiceHalvesUntilTheProjectedNeedFits() {
        // 60 % of 10 GB = 6 GB: 1 GB per image fits 6 -> 16, 8 halve to 4; 7 GB per image fits none
        assertEquals(4, CompareCommand.chooseBatch(16, 1e9, 10_000_000_000L));
        assertEquals(16, CompareCommand.chooseBatch(16, 1e6, 10_000_000_000L));
        assertEquals(1, CompareCommand.chooseBatch(16, 5e9, 10_000_000_000L));
        assertEquals(0, CompareCommand.chooseBatch(16, 7e9, 10_000_000_000L));
        assertEquals(3, CompareCommand.chooseBatch(3, 1e6, 10_000_000_000L));
    }
}
