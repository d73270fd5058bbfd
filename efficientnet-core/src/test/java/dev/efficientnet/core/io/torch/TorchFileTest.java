package dev.efficientnet.core.io.torch;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads checkpoints written by torch.save (fixtures made by src/test/resources/torch/make_fixtures.py). */
class TorchFileTest {
    static Path resource(String name) {
        try {
            return Path.of(TorchFileTest.class.getResource("/torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> expected(String fixture) throws IOException {
        Map<String, Object> all = (Map<String, Object>) Json.read(resource("expected.json"));
        return (Map<String, Object>) all.get(fixture);
    }

    /** Every tensor of {@code f} must equal torch's float32 conversion bit for bit, in order. */
    @SuppressWarnings("unchecked")
    private static void assertExact(TorchFile f, Map<String, Object> expected) throws IOException {
        assertEquals(List.copyOf(expected.keySet()), f.names());
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            Map<String, Object> x = (Map<String, Object>) e.getValue();
            List<Object> shape = (List<Object>) x.get("shape");
            int[] s = shape.stream().mapToInt(o -> ((Long) o).intValue()).toArray();
            assertArrayEquals(s, f.shape(e.getKey()), e.getKey());
            assertEquals(x.get("dtype"), f.dtype(e.getKey()).name().toLowerCase().replace("uint8", "uint8"), e.getKey());
            List<Object> bits = (List<Object>) x.get("bits");
            float[] got = f.getFloats(e.getKey());
            assertEquals(bits.size(), got.length, e.getKey());
            for (int i = 0; i < got.length; i++)
                assertEquals(((Long) bits.get(i)).intValue(), Float.floatToRawIntBits(got[i]), e.getKey() + "[" + i + "]");
        }
    }

    @Test
    void readsEveryDtypeAndViewExactly() throws IOException {
        try (TorchFile f = TorchFile.open(resource("dtypes_and_views.pth"))) {
            assertExact(f, expected("dtypes_and_views.pth"));
            assertEquals("", f.stateDictKey());
            assertFalse(f.tensors().get("transposed").isContiguous());
            assertEquals(f.tensors().get("whole").storage(), f.tensors().get("slice").storage(), "views share a storage");
            assertEquals(8, f.tensors().get("slice").offset());
            Tensor t = f.get("slice");
            assertArrayEquals(new int[]{2, 3}, t.shape());
            assertEquals(8f / 7, t.toFloatArray()[0]);
        }
    }

    @Test
    void readsAModuleStateDictWithItsMetadataBuild() throws IOException {
        try (TorchFile f = TorchFile.open(resource("module.pt"))) {
            assertExact(f, expected("module.pt"));
            assertTrue(f.names().contains("1.num_batches_tracked"));
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void findsTheStateDictInsideTrainingCheckpoints() throws IOException {
        try (TorchFile f = TorchFile.open(resource("checkpoint.pth"))) {
            assertEquals("state_dict", f.stateDictKey());
            assertEquals("efficientnet_b0", f.metadata().get("arch"));
            assertEquals("7", f.metadata().get("epoch"));
            assertEquals(List.copyOf(expected("module.pt").keySet()), f.names());
        }
        try (TorchFile f = TorchFile.open(resource("checkpoint.pth"), "state_dict_ema")) {
            assertExact(f, expected("checkpoint.pth:state_dict_ema"));
        }
        try (TorchFile f = TorchFile.open(resource("model_params_fp16.pth"))) {
            assertEquals("model", f.stateDictKey());
            assertExact(f, expected("model_params_fp16.pth"));
        }
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchFile.open(resource("checkpoint.pth"), "epoch"));
        assertTrue(e.getMessage().contains("'epoch' is an integer, not a dict"), e.getMessage());
        e = assertThrows(TorchFormatException.class, () -> TorchFile.open(resource("checkpoint.pth"), "nope"));
        assertTrue(e.getMessage().contains("no top-level entry 'nope'; its top-level keys are ['epoch', 'arch', 'state_dict'"), e.getMessage());
    }

    @Test
    void refusesGlobalsOutsideTheWhitelistWithoutRunningThem() {
        Path marker = Path.of("/tmp/efficientnet-pth-pwned");
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchFile.open(resource("hostile_global.pth")));
        assertTrue(e.getMessage().contains("refuses global posix.system"), e.getMessage());
        assertTrue(e.getMessage().startsWith(resource("hostile_global.pth").toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(marker));
    }

    @Test
    void readsTheLegacyFormatExactly() throws IOException {
        try (TorchFile f = TorchFile.open(resource("legacy.pth"))) {
            assertExact(f, expected("legacy.pth"));
            assertEquals(f.tensors().get("whole").storage(), f.tensors().get("slice").storage(), "views share a storage");
        }
        try (InputStream in = TorchFileTest.class.getResourceAsStream("/torch/legacy.pth"); TorchFile f = TorchFile.open(in, "legacy")) {
            assertExact(f, expected("legacy.pth"));
        }
    }

    @Test
    void refusesNonCheckpoints(@TempDir Path tmp) throws IOException {
        Path txt = Files.writeString(tmp.resolve("x.pth"), "hello");
        TorchFormatException e = assertThrows(TorchFormatException.class, () -> TorchFile.open(txt));
        assertTrue(e.getMessage().contains("not a PyTorch checkpoint"), e.getMessage());
        assertTrue(TorchFile.looksLikeTorch(resource("legacy.pth")));
        assertTrue(TorchFile.looksLikeTorch(resource("module.pt")));
        assertFalse(TorchFile.looksLikeTorch(txt));
    }

    @Test
    void readsFromAStreamAndDeletesItsCopy() throws IOException {
        try (InputStream in = TorchFileTest.class.getResourceAsStream("/torch/module.pt");
             TorchFile f = TorchFile.open(in, "classpath:/torch/module.pt")) {
            assertExact(f, expected("module.pt"));
            assertEquals(Path.of("classpath:/torch/module.pt"), f.path());
        }
    }

    @Test
    void torchSaveRoundTrips(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("conv.weight", Tensor.of(new float[]{1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}, 1, 2, 3, 1));
        sd.put("scalar", Tensor.of(new float[]{7}, new int[0]));
        float[] big = new float[70_000];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f - 3;
        sd.put("big", Tensor.of(big, 700, 100));
        Path p = tmp.resolve("out.pth");
        TorchSave.write(p, sd);
        try (TorchFile f = TorchFile.open(p)) {
            assertEquals(List.copyOf(sd.keySet()), f.names());
            for (String k : sd.keySet()) {
                assertArrayEquals(sd.get(k).shape(), f.shape(k));
                assertArrayEquals(sd.get(k).toFloatArray(), f.getFloats(k), k);
            }
        }
    }
}
