package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.io.torch.TorchFile;
import dev.efficientnet.core.io.torch.TorchFormatException;
import dev.efficientnet.core.io.torch.TorchSave;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PyTorch .pth weights, streams and classpath resources load exactly like the safetensors reference fixtures. */
class PthWeightsTest {
    /** The fixture's tensors as a .pth, every name under {@code prefix}, plus a num_batches_tracked entry. */
    static Path asPth(ReferenceFixture f, Path dir, String prefix) throws IOException {
        SafetensorsFile st = Safetensors.read(f.weightsFile());
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String n : st.names()) {
            values.put(prefix + n, st.getFloats(n));
            shapes.put(prefix + n, st.shape(n));
        }
        values.put(prefix + "bn_extra.num_batches_tracked", new float[]{5});
        shapes.put(prefix + "bn_extra.num_batches_tracked", new int[0]);
        Path p = dir.resolve(f.name() + ".pth");
        TorchSave.write(p, values, shapes);
        return p;
    }

    static void assertSameState(EfficientNet a, EfficientNet b) {
        Map<String, Tensor> sa = a.stateDict();
        Map<String, Tensor> sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), k);
    }

    @Test
    void pthLoadsExactlyLikeTheSafetensorsFixture(@TempDir Path tmp) throws IOException {
        for (String name : new String[]{Fixtures.TV_B0, Fixtures.TIMM_B0}) {
            ReferenceFixture f = Fixtures.get(name);
            EfficientNet reference = f.loadModel();
            Path pth = asPth(f, tmp, "module.");
            EfficientNet fromPth = EfficientNet.create(f.spec(), 99);
            LoadResult r = Weights.load(fromPth, pth);
            assertEquals(f.naming(), r.naming());
            assertEquals("module.", r.prefix());
            assertSameState(reference, fromPth);
        }
    }

    @Test
    void streamsAndClasspathResourcesLoad(@TempDir Path tmp) throws IOException {
        ReferenceFixture f = Fixtures.get(Fixtures.TV_B0);
        EfficientNet reference = f.loadModel();
        EfficientNet fromResource = EfficientNet.create(f.spec(), 5);
        Weights.loadResource(fromResource, "/fixtures/" + Fixtures.TV_B0 + ".safetensors", LoadOptions.STRICT);
        assertSameState(reference, fromResource);

        Path pth = asPth(f, tmp, "");
        EfficientNet fromStream = EfficientNet.create(f.spec(), 6);
        try (InputStream in = Files.newInputStream(pth)) {
            Weights.load(fromStream, in, "upload.pth", LoadOptions.STRICT);
        }
        assertSameState(reference, fromStream);
        try (InputStream in = Files.newInputStream(f.weightsFile())) {
            EfficientNet s = EfficientNet.create(f.spec(), 7);
            Weights.load(s, in, "upload.safetensors", LoadOptions.STRICT);
            assertSameState(reference, s);
        }
        IOException e = assertThrows(IOException.class, () -> Weights.loadResource(fromStream, "/no/such.pth", LoadOptions.STRICT));
        assertTrue(e.getMessage().contains("classpath resource /no/such.pth not found"), e.getMessage());
        // a corrupt stream is named by the name given, not by the temporary copy
        TorchFormatException bad = assertThrows(TorchFormatException.class, () -> Weights.load(fromStream,
                new java.io.ByteArrayInputStream(new byte[]{'P', 'K', 3, 4, 0, 0}), "upload.pth", LoadOptions.STRICT));
        assertTrue(bad.getMessage().startsWith("upload.pth: "), bad.getMessage());
    }

    @Test
    void converterKeepsNamesAndValuesAndRefusesItsInput(@TempDir Path tmp) throws IOException {
        ReferenceFixture f = Fixtures.get(Fixtures.TIMM_B0);
        Path pth = asPth(f, tmp, "module.");
        Path out = tmp.resolve("out.safetensors");
        WeightConverter.Result r = WeightConverter.convert(pth, null, out);
        assertEquals(WeightFile.Format.PYTORCH, r.from());
        assertEquals(Naming.TIMM, r.naming());
        assertEquals("module.", r.strippedPrefix());
        assertEquals(1, r.dropped().size());
        SafetensorsFile src = Safetensors.read(f.weightsFile());
        SafetensorsFile got = Safetensors.read(out);
        assertEquals(src.names(), got.names());
        for (String n : src.names()) assertArrayEquals(src.getFloats(n), got.getFloats(n), n);
        assertEquals("timm", got.metadata().get("naming"));
        assertEquals(pth.getFileName().toString(), got.metadata().get("converted_from"));

        // and back to .pth
        Path back = tmp.resolve("back.pth");
        WeightConverter.convert(out, null, back);
        try (TorchFile t = TorchFile.open(back)) {
            assertEquals(src.names(), t.names());
            for (String n : src.names()) assertArrayEquals(src.getFloats(n), t.getFloats(n), n);
        }

        long size = Files.size(pth);
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> WeightConverter.convert(pth, null, tmp.resolve("sub/../" + pth.getFileName())));
        assertTrue(same.getMessage().contains("is the input file"), same.getMessage());
        assertEquals(size, Files.size(pth));
        assertThrows(IllegalArgumentException.class, () -> WeightConverter.convert(pth, null, tmp.resolve("x.bin")));
    }
}
