package dev.efficientnet.cli;

import com.sun.net.httpserver.HttpServer;
import dev.efficientnet.core.io.torch.TorchSave;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.pretrained.ImageNetClasses;
import dev.efficientnet.models.pretrained.PretrainedRegistry;
import dev.efficientnet.models.pretrained.PretrainedWeights;
import dev.efficientnet.models.pretrained.WeightCache;
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

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --pretrained} on the CLI: download into the cache, offline reuse, and the failures, against a local server. */
class PretrainedCliTest {
    static final String PRESET = "test_cli_pretrained_tiny";

    @TempDir
    Path tmp;
    HttpServer server;
    Path image;

    @BeforeEach
    void setUp() throws Exception {
        ModelSpec spec = Presets.get("efficientnet_b0", 0.25, 0.25, 1000).withName(PRESET);
        if (!Presets.contains(PRESET)) Presets.register(spec);
        Path pth = tmp.resolve("w.pth");
        TorchSave.write(pth, Weights.export(EfficientNet.create(spec, 8), Naming.TORCHVISION));
        byte[] file = Files.readAllBytes(pth);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, file.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(file);
            }
        });
        server.start();
        String name = "tiny-" + sha.substring(0, 8) + ".pth";
        PretrainedRegistry.register(new PretrainedWeights(PRESET, "test", "v1", name,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name, sha.substring(0, 8),
                PretrainedWeights.HashKind.SHA256_PREFIX, Naming.TORCHVISION, 1000, 64, 73, Interpolation.BICUBIC,
                Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD));
        System.setProperty(WeightCache.DIR_PROPERTY, tmp.resolve("cache").toString());
        BufferedImage img = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) img.setRGB(x, y, x * 5 << 16 | y * 6);
        image = tmp.resolve("x.png");
        ImageIO.write(img, "png", image.toFile());
    }

    @AfterEach
    void tearDown() {
        if (server != null) server.stop(0);
        PretrainedRegistry.unregister(PRESET);
        System.clearProperty(WeightCache.DIR_PROPERTY);
    }

    @Test
    @SuppressWarnings("unchecked")
    void predictDownloadsOnceThenRunsOfflineWithImageNetNames() {
        CliTestSupport.Run r = run("predict", PRESET, "--pretrained", "--json", image.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("downloading from http://127.0.0.1"), r.err());
        Map<String, Object> json = r.lastJson();
        List<Object> images = (List<Object>) json.get("images");
        Map<String, Object> first = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) images.get(0)).get("predictions")).get(0);
        assertTrue(ImageNetClasses.names().contains((String) first.get("label")), first.toString());

        server.stop(0);
        server = null;
        r = run("predict", PRESET, "--pretrained", "--pretrained-tag", "v1", "--json", image.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains(", cached"), r.err());
    }

    @Test
    void failuresAreOneLine() throws Exception {
        CliTestSupport.Run r = run("predict", PRESET, "--pretrained", "--weights", "w.pth", image.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("either --pretrained or --weights"), r.err());

        r = run("predict", "timm_efficientnet_b7", "--pretrained", image.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no pretrained weights are published for preset timm_efficientnet_b7"), r.err());

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PretrainedRegistry.register(new PretrainedWeights(PRESET, "test", "v1", "down.pth", "http://127.0.0.1:" + port + "/down.pth",
                "0".repeat(64), PretrainedWeights.HashKind.SHA256, Naming.TORCHVISION, 1000, 64, 73, Interpolation.BICUBIC,
                Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD));
        r = run("infer", PRESET, "--pretrained", "--input", image.toString(), "--output", tmp.resolve("o.safetensors").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("no network or the server is unreachable"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("efficientnet infer:")).count(), r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), r.err());
    }
}
