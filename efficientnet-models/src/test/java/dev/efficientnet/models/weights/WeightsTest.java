package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightsTest {
    @TempDir
    Path tmp;

    private static EfficientNet model(String preset, double w, double d, int classes, long seed) {
        return EfficientNet.create(Presets.get(preset, w, d, classes), seed);
    }

    private static EfficientNet fixtureModel(String fixture, long seed) {
        return EfficientNet.create(Fixtures.get(fixture).spec(), seed);
    }

    private static Map<String, int[]> bits(Map<String, Tensor> state) {
        Map<String, int[]> out = new LinkedHashMap<>();
        state.forEach((k, t) -> {
            float[] f = t.toFloatArray();
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
            out.put(k, b);
        });
        return out;
    }

    private static void assertBitExact(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "keys and order");
        Map<String, int[]> e = bits(expected);
        Map<String, int[]> a = bits(actual);
        for (String k : e.keySet()) {
            assertArrayEquals(expected.get(k).shape(), actual.get(k).shape(), k);
            assertArrayEquals(e.get(k), a.get(k), k);
        }
    }

    /** Load a fixture, export it in its own naming (in memory and through a file): the same tensors, bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {Fixtures.TIMM_B0, Fixtures.TIMM_V2S, Fixtures.TV_B0})
    void roundTripInOwnNamingIsBitExact(String fixture) throws IOException {
        ReferenceFixture f = Fixtures.get(fixture);
        Map<String, Tensor> original = Safetensors.load(f.weightsFile());
        EfficientNet model = fixtureModel(fixture, 7);
        LoadResult r = Weights.load(model, f.weightsFile());
        assertEquals(f.naming(), r.naming());
        assertEquals("", r.prefix());
        assertEquals(original.size(), r.loaded());
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty() && r.ignored().isEmpty());

        assertBitExact(original, Weights.export(model, f.naming()));

        Path out = tmp.resolve(fixture + ".safetensors");
        Weights.save(model, out, f.naming());
        SafetensorsFile written = Safetensors.read(out);
        assertEquals(f.naming().id(), written.metadata().get("naming"));
        assertEquals("pt", written.metadata().get("format"));
        assertEquals(f.arch(), written.metadata().get("preset"));
        assertBitExact(original, written.getAll());
    }

    /** Native export → load into a differently initialised model: identical state. */
    @Test
    void nativeRoundTrip() throws IOException {
        EfficientNet a = fixtureModel(Fixtures.TIMM_V2S, 1);
        Weights.load(a, Fixtures.get(Fixtures.TIMM_V2S).weightsFile());
        Path out = tmp.resolve("native.safetensors");
        Weights.save(a, out, Naming.NATIVE);
        EfficientNet b = fixtureModel(Fixtures.TIMM_V2S, 2);
        assertFalse(java.util.Arrays.equals(a.stateDict().get("stem.conv.weight").toFloatArray(),
                b.stateDict().get("stem.conv.weight").toFloatArray()), "different seeds differ before loading");
        LoadResult r = Weights.load(b, out);
        assertEquals(Naming.NATIVE, r.naming());
        assertBitExact(a.stateDict(), b.stateDict());
        // native files keep the native layout
        assertArrayEquals(new int[]{3, 3, 3, 8}, Safetensors.read(out).shape("stem.conv.weight"));
    }

    /** timm → torchvision file → fresh model → timm export reproduces the timm file. */
    @Test
    void crossNamingRoundTrip() throws IOException {
        ReferenceFixture f = Fixtures.get(Fixtures.TIMM_B0);
        EfficientNet a = fixtureModel(Fixtures.TIMM_B0, 1);
        Weights.load(a, f.weightsFile());
        Path tv = tmp.resolve("as_tv.safetensors");
        Weights.save(a, tv, Naming.TORCHVISION);
        SafetensorsFile tvFile = Safetensors.read(tv);
        assertArrayEquals(new int[]{8, 1, 3, 3}, tvFile.shape("features.1.0.block.0.0.weight"));
        assertEquals(Safetensors.read(Fixtures.get(Fixtures.TV_B0).weightsFile()).names(), tvFile.names());
        EfficientNet b = fixtureModel(Fixtures.TIMM_B0, 2);
        assertEquals(Naming.TORCHVISION, Weights.load(b, tv).naming());
        assertBitExact(Safetensors.load(f.weightsFile()), Weights.export(b, Naming.TIMM));
    }

    /** A torchvision V1 checkpoint into a V2 preset: one exception listing all problems; nothing loaded. */
    @Test
    void strictMismatchListsEverythingAndLoadsNothing() {
        EfficientNet model = fixtureModel(Fixtures.TIMM_V2S, 3);
        Map<String, int[]> before = bits(model.stateDict());
        WeightLoadException e = assertThrows(WeightLoadException.class,
                () -> Weights.load(model, Fixtures.get(Fixtures.TV_B0).weightsFile()));
        assertEquals(Naming.TORCHVISION, e.naming());
        assertTrue(e.missing().contains("features.7.0.weight"), e.missing().toString()); // V2-S has 6 stages: head is features.7
        assertTrue(e.unexpected().contains("features.7.0.block.0.0.weight"), e.unexpected().toString()); // V1 has 7 stages
        assertTrue(e.unexpected().contains("features.8.0.weight"), e.unexpected().toString());
        assertTrue(e.mismatched().contains("features.1.0.block.0.0.weight: checkpoint [8, 1, 3, 3] vs model [8, 8, 3, 3]"),
                e.mismatched().toString());
        assertTrue(e.getMessage().contains("torchvision naming") && e.getMessage().contains("nothing was loaded"), e.getMessage());
        assertTrue(e.getMessage().contains(e.missing().size() + " ") && e.getMessage().contains("shape mismatch"));
        // nothing written, not even the tensors that did fit (e.g. the stem)
        Map<String, int[]> after = bits(model.stateDict());
        for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
    }

    @Test
    void singleProblemsAreReportedExactly() {
        Map<String, Tensor> state = Weights.export(loaded(Fixtures.TV_B0), Naming.TORCHVISION);
        EfficientNet target = fixtureModel(Fixtures.TV_B0, 9);

        Map<String, Tensor> missing = new LinkedHashMap<>(state);
        missing.remove("features.3.0.block.2.fc2.bias");
        WeightLoadException e1 = assertThrows(WeightLoadException.class, () -> Weights.load(target, missing));
        assertEquals(List.of("features.3.0.block.2.fc2.bias"), e1.missing());
        assertTrue(e1.unexpected().isEmpty() && e1.mismatched().isEmpty());

        Map<String, Tensor> extra = new LinkedHashMap<>(state);
        extra.put("features.9.0.weight", Tensor.zeros(1));
        WeightLoadException e2 = assertThrows(WeightLoadException.class, () -> Weights.load(target, extra));
        assertEquals(List.of("features.9.0.weight"), e2.unexpected());
        assertTrue(e2.missing().isEmpty());

        Map<String, Tensor> wrong = new LinkedHashMap<>(state);
        wrong.put("classifier.1.weight", Tensor.zeros(10, 321));
        WeightLoadException e3 = assertThrows(WeightLoadException.class, () -> Weights.load(target, wrong, LoadOptions.LENIENT),
                "shape mismatches fail even when lenient");
        assertEquals(List.of("classifier.1.weight: checkpoint [10, 321] vs model [10, 320]"), e3.mismatched());
    }

    @Test
    void lenientLoadReportsWhatItSkipped() {
        EfficientNet source = loaded(Fixtures.TIMM_B0);
        Map<String, Tensor> state = new LinkedHashMap<>(Weights.export(source, Naming.TIMM));
        state.remove("bn2.running_var");
        state.put("aux.weight", Tensor.zeros(2));
        EfficientNet target = fixtureModel(Fixtures.TIMM_B0, 5);
        float[] initialVar = target.stateDict().get("head.bn.running_var").toFloatArray();
        LoadResult r = Weights.load(target, state, LoadOptions.LENIENT);
        assertEquals(List.of("bn2.running_var"), r.missing());
        assertEquals(List.of("aux.weight"), r.unexpected());
        assertEquals(source.stateDict().size() - 1, r.loaded());
        assertArrayEquals(initialVar, target.stateDict().get("head.bn.running_var").toFloatArray());
        assertArrayEquals(source.stateDict().get("head.bn.weight").toFloatArray(), target.stateDict().get("head.bn.weight").toFloatArray());
    }

    @Test
    void bookkeepingKeysAndPrefixesAreHandled() {
        EfficientNet source = loaded(Fixtures.TV_B0);
        Map<String, Tensor> state = new LinkedHashMap<>();
        Weights.export(source, Naming.TORCHVISION).forEach((k, v) -> {
            state.put("module." + k, v);
            if (k.endsWith(".running_var"))
                state.put("module." + k.replace("running_var", "num_batches_tracked"), Tensor.scalar(3));
        });
        EfficientNet target = fixtureModel(Fixtures.TV_B0, 11);
        LoadResult r = Weights.load(target, state);
        assertEquals(Naming.TORCHVISION, r.naming());
        assertEquals("module.", r.prefix());
        assertEquals(31, r.ignored().size()); // one per BN
        assertTrue(r.ignored().get(0).endsWith("num_batches_tracked"));
        assertBitExact(source.stateDict(), target.stateDict());
    }

    /**
     * A file as {@code safetensors.torch.save_file(model.state_dict())} writes it: F32 tensors plus
     * I64 scalar {@code num_batches_tracked} entries, which are ignored.
     */
    @Test
    void pytorchStyleFileWithInt64Counters() throws IOException {
        EfficientNet source = loaded(Fixtures.TIMM_B0);
        Map<String, Tensor> state = Weights.export(source, Naming.TIMM);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        int counters = 0;
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            float[] v = e.getValue().toFloatArray();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float x : v) b.putFloat(x);
            int start = data.size();
            data.writeBytes(b.array());
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(java.util.Arrays.toString(e.getValue().shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(start).append(',').append(data.size()).append("]}");
            if (e.getKey().endsWith("running_var")) {
                String k = e.getKey().replace("running_var", "num_batches_tracked");
                start = data.size();
                data.writeBytes(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(1234).array());
                header.append(",\"").append(k).append("\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[")
                        .append(start).append(',').append(data.size()).append("]}");
                counters++;
            }
        }
        header.append('}');
        byte[] h = header.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path file = tmp.resolve("torch_style.safetensors");
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            out.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            data.writeTo(out);
        }
        EfficientNet target = fixtureModel(Fixtures.TIMM_B0, 13);
        LoadResult r = Weights.load(target, file);
        assertEquals(counters, r.ignored().size());
        assertEquals(state.size(), r.loaded());
        assertBitExact(source.stateDict(), target.stateDict());
    }

    @Test
    void fineTuneSkipsTheClassifier() throws IOException {
        ReferenceFixture f = Fixtures.get(Fixtures.TIMM_B0);
        EfficientNet five = EfficientNet.create(Presets.get(f.arch(), f.widthMult(), f.depthMult(), 5), 4);
        WeightLoadException e = assertThrows(WeightLoadException.class, () -> Weights.load(five, f.weightsFile()));
        assertEquals(2, e.mismatched().size(), e.getMessage());
        float[] cls = five.stateDict().get("head.classifier.weight").toFloatArray();
        LoadResult r = Weights.load(five, f.weightsFile(), LoadOptions.fineTune());
        assertEquals(List.of("classifier.weight", "classifier.bias"), r.unexpected());
        assertArrayEquals(cls, five.stateDict().get("head.classifier.weight").toFloatArray());
        assertArrayEquals(Safetensors.read(f.weightsFile()).getFloats("conv_head.weight"),
                Weights.export(five, Naming.TIMM).get("conv_head.weight").toFloatArray());
    }

    @Test
    void unknownNamingIsRejected() {
        EfficientNet m = fixtureModel(Fixtures.TV_B0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Weights.load(m, Map.of("encoder.conv.weight", Tensor.zeros(1))));
        assertTrue(e.getMessage().contains("conv_stem.weight") && e.getMessage().contains("features.0.0.weight")
                && e.getMessage().contains("encoder.conv.weight"), e.getMessage());
    }

    @Test
    void namingDetectionAndParsing() {
        assertEquals(new Naming.Detected(Naming.TIMM, ""), Naming.detect(List.of("conv_stem.weight", "bn1.weight")));
        assertEquals(new Naming.Detected(Naming.TORCHVISION, "model.backbone."),
                Naming.detect(List.of("model.backbone.features.0.0.weight", "model.backbone.classifier.1.bias")));
        assertEquals(Naming.NATIVE, Naming.detect(List.of("stem.conv.weight")).naming());
        // a prefix not shared by every key is not a prefix
        assertThrows(IllegalArgumentException.class, () -> Naming.detect(List.of("a.conv_stem.weight", "b.bn1.weight")));
        assertThrows(IllegalArgumentException.class, () -> Naming.detect(List.of("xconv_stem.weight")));
        assertEquals(Naming.TORCHVISION, Naming.parse("tv"));
        assertEquals(Naming.TIMM, Naming.parse(" TIMM "));
        assertThrows(IllegalArgumentException.class, () -> Naming.parse("keras"));
        assertTrue(Naming.isBookkeeping("features.0.1.num_batches_tracked"));
        assertFalse(Naming.isBookkeeping("features.0.1.running_var"));
    }

    private static EfficientNet loaded(String fixture) {
        EfficientNet m = fixtureModel(fixture, 0);
        try {
            Weights.load(m, Fixtures.get(fixture).weightsFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return m;
    }
}
