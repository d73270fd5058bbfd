package dev.efficientnet.cli;

import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryCommandTest {

    @Test
    void textTableForB0() {
        CliTestSupport.Run r = run("summary", "efficientnet_b0");
        assertEquals(0, r.code(), r.describe());
        String out = r.out();
        for (String s : new String[]{"efficientnet_b0", "stem", "stage1", "stage7", "head", "classifier",
                "MBCONV", "112x112", "7x7", "5,288,548", "total: 16 blocks", "5.29 M params",
                "feature taps (reduction: channels): 2:16 4:24 8:40 16:112 32:320 32:1280(head)"}) {
            assertTrue(out.contains(s), "missing '" + s + "' in\n" + out);
        }
        assertEquals("", r.err());
    }

    @Test
    void jsonForB0() {
        CliTestSupport.Run r = run("summary", "efficientnet_b0", "--json");
        assertEquals(0, r.code(), r.describe());
        assertEquals(1, r.out().strip().lines().count(), "only the JSON line on stdout");
        Map<String, Object> j = r.lastJson();
        assertEquals("efficientnet_b0", j.get("arch"));
        assertEquals(5288548L, j.get("params"));
        assertEquals(224L, j.get("resolution"));
        assertEquals(Presets.get("efficientnet_b0").macs(224), j.get("macs"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stages = (List<Map<String, Object>>) j.get("stages");
        assertEquals(10, stages.size(), "stem + 7 stages + head + classifier");
        long params = 0;
        long macs = 0;
        for (Map<String, Object> s : stages) {
            params += (Long) s.get("params");
            macs += (Long) s.get("macs");
        }
        assertEquals(5288548L, params);
        assertEquals(j.get("macs"), macs);
        Map<String, Object> stage6 = stages.get(6);
        assertEquals("stage6", stage6.get("name"));
        assertEquals("MBCONV", stage6.get("block"));
        assertEquals(5L, stage6.get("kernel"));
        assertEquals(2L, stage6.get("stride"));
        assertEquals(6L, stage6.get("expand"));
        assertEquals(112L, stage6.get("in_channels"));
        assertEquals(192L, stage6.get("out_channels"));
        assertEquals(4L, stage6.get("repeats"));
        assertEquals(7L, stage6.get("out_h"));
    }

    @Test
    void overridesAndResolutionReachTheSpec() {
        CliTestSupport.Run r = run("summary", "efficientnet_v2_s", "--width-mult", "0.5", "--depth-mult", "0.25",
                "--num-classes", "10", "--resolution", "96", "--json");
        assertEquals(0, r.code(), r.describe());
        Map<String, Object> j = r.lastJson();
        var spec = Presets.get("efficientnet_v2_s", 0.5, 0.25, 10);
        assertEquals(spec.params(), j.get("params"));
        assertEquals(spec.macs(96), j.get("macs"));
        assertEquals(96L, j.get("resolution"));
        assertEquals(10L, j.get("num_classes"));
        assertEquals("FUSED_MBCONV", ((Map<?, ?>) ((List<?>) j.get("stages")).get(1)).get("block"));
    }

    @Test
    void bigModelIsInstantBecauseNoWeightsAreAllocated() {
        CliTestSupport.Run r = run("summary", "efficientnet_v2_l", "--json");
        assertEquals(0, r.code(), r.describe());
        assertEquals(Presets.get("efficientnet_v2_l").params(), r.lastJson().get("params"));
        assertEquals(480L, r.lastJson().get("resolution"));
    }

    @Test
    void unknownArchIsUsageErrorListingNames() {
        CliTestSupport.Run r = run("summary", "efficientnet_b9");
        assertEquals(2, r.code(), r.describe());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains("efficientnet_b9"), err);
        for (String name : Presets.names()) assertTrue(err.contains(name), "missing " + name + " in " + err);
    }

    @Test
    void archNamesAcceptCaseAndDashes() {
        CliTestSupport.Run r = run("summary", "EfficientNet-B0", "--json");
        assertEquals(0, r.code(), r.describe());
        assertEquals("efficientnet_b0", r.lastJson().get("arch"));
    }

    @Test
    void badValuesAreUsageErrors() {
        assertEquals(2, run("summary", "efficientnet_b0", "--width-mult", "-1").code());
        assertEquals(2, run("summary", "efficientnet_b0", "--resolution", "0").code());
        assertEquals(2, run("summary", "efficientnet_b0", "--num-classes", "-3").code());
        assertEquals(2, run("summary", "efficientnet_b0", "--resolution", "abc").code());
        assertEquals(2, run("summary").code());
    }
}
