package dev.efficientnet.models.pretrained;

import com.sun.net.httpserver.HttpServer;
import dev.efficientnet.core.io.torch.TorchSave;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Interpolation;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Preprocessing;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Download, checksum, cache and offline use of pretrained weights, against a local HTTP server. */
class PretrainedTest {
    static final String PRESET = "test_pretrained_tiny";

    @TempDir
    Path tmp;
    HttpServer server;
    AtomicInteger hits = new AtomicInteger();
    EfficientNet source;
    byte[] file;
    String sha;

    @BeforeEach
    void setUp() throws Exception {
        ModelSpec spec = Presets.get("efficientnet_b0", 0.25, 0.25, 10).withName(PRESET);
        if (!Presets.contains(PRESET)) Presets.register(spec);
        source = EfficientNet.create(spec, 42);
        Path pth = tmp.resolve("src.pth");
        TorchSave.write(pth, Weights.export(source, Naming.TORCHVISION));
        file = Files.readAllBytes(pth);
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/w/", ex -> {
            hits.incrementAndGet();
            if (ex.getRequestURI().getPath().contains("missing")) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            ex.sendResponseHeaders(200, file.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(file);
            }
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        if (server != null) server.stop(0);
        PretrainedRegistry.unregister(PRESET);
        System.clearProperty(WeightCache.DIR_PROPERTY);
    }

    private PretrainedWeights entry(String tag, String name, String hash, PretrainedWeights.HashKind kind, String url) {
        return new PretrainedWeights(PRESET, "test", tag, name, url, hash, kind, Naming.TORCHVISION, 10, 96, 110,
                Interpolation.BILINEAR, Preprocessing.HALF, Preprocessing.HALF);
    }

    private String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/w/" + name;
    }

    private static void assertSameWeights(EfficientNet a, EfficientNet b) {
        Map<String, Tensor> sa = a.stateDict();
        for (Map.Entry<String, Tensor> e : sa.entrySet())
            assertArrayEquals(e.getValue().toFloatArray(), b.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void downloadsChecksCachesAndWorksOfflineAfterwards() throws Exception {
        String name = "tiny-" + sha.substring(0, 8) + ".pth";
        PretrainedRegistry.register(entry("v1", name, sha.substring(0, 8), PretrainedWeights.HashKind.SHA256_PREFIX, url(name)));
        WeightCache cache = new WeightCache(tmp.resolve("cache"));
        List<long[]> progress = new ArrayList<>();
        EfficientNet m = Pretrained.load(PRESET, null, cache, (w, done, total) -> progress.add(new long[]{done, total}));
        assertSameWeights(source, m);
        assertEquals(1, hits.get());
        assertArrayEquals(new long[]{file.length, file.length}, progress.get(progress.size() - 1));
        Path cached = cache.directory().resolve("test").resolve(name);
        assertArrayEquals(file, Files.readAllBytes(cached));
        assertTrue(Files.readString(cached.resolveSibling(name + ".sha256")).startsWith(sha + " " + file.length));
        assertEquals(2, files(cache.directory()).size(), "the file and its digest, no leftovers");
        // the registry's preprocessing and size are the model's
        assertEquals(96, m.spec().evalResolution());
        assertEquals(Preprocessing.HALF, m.spec().preprocessing().mean());

        // offline: the server is gone, the cache answers
        server.stop(0);
        server = null;
        EfficientNet again = Pretrained.load(PRESET, "v1", cache, WeightCache.DownloadListener.NONE);
        assertSameWeights(source, again);
        assertEquals(1, hits.get());

        // a damaged cache entry (size changed) is not trusted
        Files.write(cached, new byte[]{1, 2, 3});
        assertFalse(cache.isCached(PretrainedRegistry.get(PRESET, "v1")));
    }

    @Test
    void aChecksumMismatchIsRefusedAndLeavesNothing() throws Exception {
        String wrong = "0".repeat(64);
        PretrainedRegistry.register(entry("bad", "tiny-bad.pth", wrong, PretrainedWeights.HashKind.SHA256, url("tiny-bad.pth")));
        WeightCache cache = new WeightCache(tmp.resolve("cache"));
        PretrainedException e = assertThrows(PretrainedException.class,
                () -> Pretrained.load(PRESET, null, cache, WeightCache.DownloadListener.NONE));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(sha), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(List.of(), files(cache.directory()));
    }

    @Test
    void noServerAndHttpErrorsGiveOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String down = "http://127.0.0.1:" + port + "/w/tiny.pth";
        PretrainedRegistry.register(entry("down", "tiny-down.pth", sha, PretrainedWeights.HashKind.SHA256, down));
        WeightCache cache = new WeightCache(tmp.resolve("cache"));
        PretrainedException e = assertThrows(PretrainedException.class,
                () -> Pretrained.load(PRESET, null, cache, WeightCache.DownloadListener.NONE));
        assertTrue(e.getMessage().contains("no network or the server is unreachable"), e.getMessage());
        assertTrue(e.getMessage().contains(cache.directory().resolve("test").resolve("tiny-down.pth").toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        PretrainedRegistry.register(entry("gone", "tiny-missing.pth", sha, PretrainedWeights.HashKind.SHA256, url("missing.pth")));
        e = assertThrows(PretrainedException.class, () -> Pretrained.load(PRESET, "gone", cache, WeightCache.DownloadListener.NONE));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertEquals(List.of(), files(cache.directory()));
    }

    @Test
    void efficientNetPretrainedUsesTheConfiguredUserCache() throws Exception {
        String name = "tiny-full.pth";
        PretrainedRegistry.register(entry("v1", name, sha, PretrainedWeights.HashKind.SHA256, url(name)));
        System.setProperty(WeightCache.DIR_PROPERTY, tmp.resolve("user-cache").toString());
        assertEquals(tmp.resolve("user-cache"), WeightCache.defaultDirectory());
        assertSameWeights(source, EfficientNet.pretrained(PRESET));
        assertTrue(Files.exists(tmp.resolve("user-cache").resolve("test").resolve(name)));
    }

    @Test
    void theRegistryCoversThePresetsWithPublishedHashes() {
        int tv = 0;
        for (String p : PretrainedRegistry.presets()) {
            if (p.equals(PRESET)) continue;
            assertTrue(Presets.contains(p), p);
            for (PretrainedWeights w : PretrainedRegistry.entries(p)) {
                assertTrue(w.url().endsWith(w.fileName()) || w.hashKind() == PretrainedWeights.HashKind.NONE, w.describe());
                if (w.hashKind() == PretrainedWeights.HashKind.SHA256_PREFIX)
                    assertTrue(w.fileName().contains("-" + w.hash() + "."), w.describe());
                ModelSpec s = Pretrained.spec(w);
                assertEquals(1000, s.numClasses());
                if (w.source().equals("torchvision")) tv++;
            }
        }
        assertEquals(12, tv);
        assertEquals("efficientnet_b0_rwightman-3dd342df.pth", PretrainedRegistry.get("efficientnet_b0", null).fileName());
        assertEquals("3dd342df", PretrainedRegistry.get("efficientnet_b0", null).hash());
        assertEquals(List.of("tench", "goldfish"), ImageNetClasses.names().subList(0, 2));
        assertEquals(1000, ImageNetClasses.names().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainedRegistry.get("timm_efficientnet_b7", null));
        assertTrue(e.getMessage().contains("no pretrained weights are published for preset timm_efficientnet_b7"), e.getMessage());
        System.setProperty(PretrainedRegistry.MIRROR_PROPERTY, "http://mirror.local/weights");
        try {
            assertEquals("http://mirror.local/weights/efficientnet_b0_rwightman-3dd342df.pth",
                    PretrainedRegistry.get("efficientnet_b0", null).url());
        } finally {
            System.clearProperty(PretrainedRegistry.MIRROR_PROPERTY);
        }
    }
}
