package dev.efficientnet.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.efficientnet.testsupport.SharedFixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scaled reference fixtures (shared/fixtures): parameter counts, every block's channels, and,
 * when the fixture files are present, every parameter shape of the timm/torchvision state dicts.
 */
class FixtureSpecTest {

    @Test
    void fixtureParamCounts() {
        assertEquals(202_032, Presets.get("efficientnet_b0", 0.25, 0.5, 10).params());
        assertEquals(202_032, Presets.get("tf_efficientnet_b0", 0.25, 0.5, 10).params());
        assertEquals(363_828, Presets.get("tf_efficientnetv2_s", 0.25, 0.25, 10).params());
        // the full-size timm fixture
        assertEquals(5_288_548, Presets.get("tf_efficientnet_b0").params());
    }

    /** Overrides replace the preset's own multipliers (B7 at 0.25/0.5 is B0 at 0.25/0.5). */
    @Test
    void overridesReplaceMultipliers() {
        ModelSpec b7 = Presets.get("efficientnet_b7", 0.25, 0.5, 10);
        assertEquals(0.25, b7.widthMult());
        assertEquals(0.5, b7.depthMult());
        assertEquals(202_032, b7.params());
        assertEquals("efficientnet_b7", b7.name());
        assertEquals(1e-3, b7.bnEps());   // everything else stays the preset's
    }

    /**
     * (stage.block, in, mid, se, out, kernel, stride, residual) read off the fixture headers. Note
     * that at width 0.25 the B0 stage-1 block is 8 -> 8 at stride 1 and so has a residual, which
     * it lacks at full width (32 -> 16): torchvision and timm both decide by stride and channels.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "efficientnet_b0 | 0.25 | 0.5 | 8 | 320 |"
                    + " 0.0:8:8:2:8:3:1:1 1.0:8:48:2:8:3:2:0 2.0:8:48:2:16:5:2:0 3.0:16:96:4:24:3:2:0"
                    + " 3.1:24:144:6:24:3:1:1 4.0:24:144:6:32:5:1:0 4.1:32:192:8:32:5:1:1"
                    + " 5.0:32:192:8:48:5:2:0 5.1:48:288:12:48:5:1:1 6.0:48:288:12:80:3:1:0",
            "tf_efficientnet_b0 | 0.25 | 0.5 | 8 | 320 |"
                    + " 0.0:8:8:2:8:3:1:1 1.0:8:48:2:8:3:2:0 2.0:8:48:2:16:5:2:0 3.0:16:96:4:24:3:2:0"
                    + " 3.1:24:144:6:24:3:1:1 4.0:24:144:6:32:5:1:0 4.1:32:192:8:32:5:1:1"
                    + " 5.0:32:192:8:48:5:2:0 5.1:48:288:12:48:5:1:1 6.0:48:288:12:80:3:1:0",
            "tf_efficientnetv2_s | 0.25 | 0.25 | 8 | 320 |"
                    + " 0.0:8:8:0:8:3:1:1 1.0:8:32:0:16:3:2:0 2.0:16:64:0:16:3:2:0 3.0:16:64:4:32:3:2:0"
                    + " 3.1:32:128:8:32:3:1:1 4.0:32:192:8:40:3:1:0 4.1:40:240:10:40:3:1:1"
                    + " 4.2:40:240:10:40:3:1:1 5.0:40:240:10:64:3:2:0 5.1:64:384:16:64:3:1:1"
                    + " 5.2:64:384:16:64:3:1:1 5.3:64:384:16:64:3:1:1",
    })
    void fixtureBlocks(String name, double w, double d, int stem, int head, String blocks) {
        ModelSpec spec = Presets.get(name, w, d, 10);
        assertEquals(stem, spec.stemChannels());
        assertEquals(head, spec.headChannels());
        String[] expected = blocks.trim().split("\\s+");
        List<BlockSpec> actual = spec.blocks();
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            BlockSpec b = actual.get(i);
            String got = b.stageIndex() + "." + b.blockIndex() + ":" + b.inChannels() + ":" + b.midChannels() + ":"
                    + b.seChannels() + ":" + b.outChannels() + ":" + b.kernel() + ":" + b.stride() + ":"
                    + (b.hasResidual() ? 1 : 0);
            assertEquals(expected[i], got, "block " + i);
            assertEquals(i, b.globalIndex());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "timm_tf_efficientnet_b0_w0.25_d0.5, tf_efficientnet_b0, 0.25, 0.5, 10, timm",
            "tv_efficientnet_b0_w0.25_d0.5, efficientnet_b0, 0.25, 0.5, 10, torchvision",
            "timm_tf_efficientnetv2_s_w0.25_d0.25, tf_efficientnetv2_s, 0.25, 0.25, 10, timm",
            "timm_tf_efficientnet_b0, tf_efficientnet_b0, 1.0, 1.0, 1000, timm",
    })
    void everyParameterShapeMatchesTheFixture(String fixture, String preset, double w, double d, int classes,
                                              String naming) throws IOException {
        Path file = locate(fixture + ".safetensors");
        Assumptions.assumeTrue(file != null, SharedFixtures.SKIP_PREFIX + ": " + fixture
                + ".safetensors is neither a test resource nor in " + SharedFixtures.configuredDir());
        Map<String, List<Integer>> actual = readShapes(file);
        ModelSpec spec = Presets.get(preset, w, d, classes);
        Map<String, List<Integer>> expected = naming.equals("timm") ? timmShapes(spec) : torchvisionShapes(spec);
        assertEquals(expected, actual);
        long count = 0;
        for (List<Integer> shape : actual.values()) {
            long n = 1;
            for (int s : shape) {
                n *= s;
            }
            count += n;
        }
        assertEquals(spec.params(), count);
        String json = Files.readString(locate(fixture + ".json"));
        assertTrue(json.replace(" ", "").contains("\"params\":" + spec.params()), json);
    }

    // ------------------------------------------------------------ expected state-dict shapes

    static Map<String, List<Integer>> timmShapes(ModelSpec spec) {
        Map<String, List<Integer>> m = new TreeMap<>();
        conv(m, "conv_stem", spec.stemChannels(), spec.inChannels(), 3);
        bn(m, "bn1", spec.stemChannels());
        for (BlockSpec b : spec.blocks()) {
            String p = "blocks." + b.stageIndex() + "." + b.blockIndex() + ".";
            if (b.type() == BlockType.MBCONV) {
                int bn = 1;
                if (b.hasExpandConv()) {
                    conv(m, p + "conv_pw", b.midChannels(), b.inChannels(), 1);
                    bn(m, p + "bn" + bn++, b.midChannels());
                }
                m.put(p + "conv_dw.weight", List.of(b.midChannels(), 1, b.kernel(), b.kernel()));
                bn(m, p + "bn" + bn++, b.midChannels());
                se(m, p + "se.conv_reduce", p + "se.conv_expand", b);
                conv(m, p + (b.hasExpandConv() ? "conv_pwl" : "conv_pw"), b.outChannels(), b.midChannels(), 1);
                bn(m, p + "bn" + bn, b.outChannels());
            } else if (b.hasExpandConv()) {
                conv(m, p + "conv_exp", b.midChannels(), b.inChannels(), b.kernel());
                bn(m, p + "bn1", b.midChannels());
                se(m, p + "se.conv_reduce", p + "se.conv_expand", b);
                conv(m, p + "conv_pwl", b.outChannels(), b.midChannels(), 1);
                bn(m, p + "bn2", b.outChannels());
            } else {
                conv(m, p + "conv", b.outChannels(), b.inChannels(), b.kernel());
                bn(m, p + "bn1", b.outChannels());
            }
        }
        conv(m, "conv_head", spec.headChannels(), spec.stages().get(spec.stages().size() - 1).outChannels(), 1);
        bn(m, "bn2", spec.headChannels());
        m.put("classifier.weight", List.of(spec.numClasses(), spec.headChannels()));
        m.put("classifier.bias", List.of(spec.numClasses()));
        return m;
    }

    static Map<String, List<Integer>> torchvisionShapes(ModelSpec spec) {
        Map<String, List<Integer>> m = new TreeMap<>();
        conv(m, "features.0.0", spec.stemChannels(), spec.inChannels(), 3);
        bn(m, "features.0.1", spec.stemChannels());
        for (BlockSpec b : spec.blocks()) {
            String p = "features." + (b.stageIndex() + 1) + "." + b.blockIndex() + ".block.";
            int i = 0;
            if (b.type() == BlockType.MBCONV) {
                if (b.hasExpandConv()) {
                    conv(m, p + i + ".0", b.midChannels(), b.inChannels(), 1);
                    bn(m, p + i++ + ".1", b.midChannels());
                }
                m.put(p + i + ".0.weight", List.of(b.midChannels(), 1, b.kernel(), b.kernel()));
                bn(m, p + i++ + ".1", b.midChannels());
                se(m, p + i + ".fc1", p + i++ + ".fc2", b);
                conv(m, p + i + ".0", b.outChannels(), b.midChannels(), 1);
                bn(m, p + i + ".1", b.outChannels());
            } else if (b.hasExpandConv()) {
                conv(m, p + "0.0", b.midChannels(), b.inChannels(), b.kernel());
                bn(m, p + "0.1", b.midChannels());
                conv(m, p + "1.0", b.outChannels(), b.midChannels(), 1);
                bn(m, p + "1.1", b.outChannels());
            } else {
                conv(m, p + "0.0", b.outChannels(), b.inChannels(), b.kernel());
                bn(m, p + "0.1", b.outChannels());
            }
        }
        int head = spec.stages().size() + 1;
        conv(m, "features." + head + ".0", spec.headChannels(),
                spec.stages().get(spec.stages().size() - 1).outChannels(), 1);
        bn(m, "features." + head + ".1", spec.headChannels());
        m.put("classifier.1.weight", List.of(spec.numClasses(), spec.headChannels()));
        m.put("classifier.1.bias", List.of(spec.numClasses()));
        return m;
    }

    private static void conv(Map<String, List<Integer>> m, String name, int out, int in, int k) {
        m.put(name + ".weight", List.of(out, in, k, k));
    }

    private static void bn(Map<String, List<Integer>> m, String name, int c) {
        m.put(name + ".weight", List.of(c));
        m.put(name + ".bias", List.of(c));
    }

    private static void se(Map<String, List<Integer>> m, String reduce, String expand, BlockSpec b) {
        if (!b.hasSe()) {
            return;
        }
        m.put(reduce + ".weight", List.of(b.seChannels(), b.midChannels(), 1, 1));
        m.put(reduce + ".bias", List.of(b.seChannels()));
        m.put(expand + ".weight", List.of(b.midChannels(), b.seChannels(), 1, 1));
        m.put(expand + ".bias", List.of(b.midChannels()));
    }

    // ------------------------------------------------------------ safetensors header

    private static final Pattern ENTRY = Pattern.compile(
            "\"([^\"]+)\"\\s*:\\s*\\{\\s*\"dtype\"\\s*:\\s*\"[^\"]+\"\\s*,\\s*\"shape\"\\s*:\\s*\\[([0-9,\\s]*)\\]");

    /** Trainable parameter shapes (BN running stats and metadata left out). */
    static Map<String, List<Integer>> readShapes(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] len = in.readNBytes(8);
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            head = in.readNBytes((int) n);
        }
        String json = new String(head, StandardCharsets.UTF_8);
        Map<String, List<Integer>> out = new TreeMap<>();
        Matcher m = ENTRY.matcher(json);
        while (m.find()) {
            String name = m.group(1);
            if (name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked")) {
                continue;
            }
            List<Integer> shape = new ArrayList<>();
            for (String t : m.group(2).split(",")) {
                if (!t.isBlank()) {
                    shape.add(Integer.parseInt(t.trim()));
                }
            }
            out.put(name, shape);
        }
        assertTrue(out.size() > 10, "parsed header of " + file);
        return out;
    }

    /** shared/fixtures (the surefire property), else the test classpath's fixtures/, else null. */
    static Path locate(String fileName) {
        String dir = System.getProperty("shared.fixtures");
        if (dir != null) {
            Path p = Paths.get(dir, fileName);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        URL url = FixtureSpecTest.class.getResource("/fixtures/" + fileName);
        if (url != null && "file".equals(url.getProtocol())) {
            try {
                return Paths.get(url.toURI());
            } catch (URISyntaxException e) {
                return null;
            }
        }
        return null;
    }
}
