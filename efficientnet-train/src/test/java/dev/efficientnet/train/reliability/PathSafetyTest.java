package dev.efficientnet.train.reliability;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.Trainer;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.IdxDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights and datasets are only read, and a training run writes only inside its run folder, even
 * when the data inside a checkpoint (config strings, metadata) holds hostile paths. Every file in
 * the test's folder tree is fingerprinted (size + SHA-256) before and after.
 */
class PathSafetyTest {
    private static final int EPOCHS = 1, BATCH = 8, EXAMPLES = 32;

    @Test
    void trainingReadsInputsAndWritesOnlyIntoTheRunFolder(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path weights = Files.createDirectories(tmp.resolve("weights"));
        Path run = tmp.resolve("runs").resolve("r1");
        Files.createDirectories(run.getParent());
        // an IDX copy of the tiny dataset and an initial weights file
        Dataset src = ReliabilityRuns.tinyData(EXAMPLES);
        writeIdx(src, data.resolve("images.idx"), data.resolve("labels.idx"));
        TrainConfig base = ReliabilityRuns.tinyConfig(EPOCHS, BATCH);
        Path init = weights.resolve("init.safetensors");
        Weights.save(EfficientNet.create(base.modelSpec(), 5), init, Naming.NATIVE);

        Map<String, String> before = fingerprint(tmp);
        Dataset train = IdxDataset.load(data.resolve("images.idx"), data.resolve("labels.idx"), 10);
        TrainConfig cfg = base.toBuilder().initWeights(init.toString()).data(data.toString()).build();
        new Trainer(cfg, train, null, run, null).stopAfterSteps(2).run();
        assertOnlyRunFolderChanged(tmp, run, before, fingerprint(tmp));
    }

    @Test
    void hostilePathsInsideACheckpointDoNotEscapeTheRunFolder(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("runs").resolve("r1");
        TrainConfig cfg = ReliabilityRuns.tinyConfig(EPOCHS, BATCH);
        Dataset train = ReliabilityRuns.tinyData(EXAMPLES);
        new Trainer(cfg, train, null, run, null).stopAfterSteps(1).run();
        // rewrite the checkpoint with hostile strings wherever the config holds text
        Path last = run.resolve(Checkpoints.LAST);
        Checkpoint c = Checkpoints.read(last);
        Map<String, Object> config = new LinkedHashMap<>(c.config());
        String escape = "../../escaped";
        config.put("data", escape);
        config.put("init_weights", escape + ".safetensors");
        @SuppressWarnings("unchecked")
        Map<String, Object> progressive = new LinkedHashMap<>((Map<String, Object>) config.get("progressive"));
        progressive.put("name", escape);
        config.put("progressive", progressive);
        Checkpoints.write(last, new Checkpoint(config, c.state(), c.model(), c.ema(), c.optimizer()));

        Map<String, String> before = fingerprint(tmp);
        Trainer resumed = Trainer.resume(run, train, null, null);
        assertEquals(escape, resumed.config().schedule().name());
        resumed.run();
        Map<String, String> after = fingerprint(tmp);
        assertOnlyRunFolderChanged(tmp, run, before, after);
        try (Stream<Path> s = Files.walk(tmp.getParent().getParent() == null ? tmp : tmp.getParent(), 2)) {
            assertFalse(s.anyMatch(p -> p.getFileName() != null && p.getFileName().toString().startsWith("escaped")),
                    "a file named after the hostile path was created");
        }
        assertEquals(EPOCHS * (EXAMPLES / BATCH), Checkpoints.read(last).state().globalStep());
    }

    private static void assertOnlyRunFolderChanged(Path root, Path run, Map<String, String> before, Map<String, String> after) {
        List<String> outside = new ArrayList<>();
        for (Map.Entry<String, String> e : after.entrySet())
            if (!e.getValue().equals(before.get(e.getKey())) && !Path.of(e.getKey()).startsWith(run)) outside.add("written: " + e.getKey());
        for (String k : before.keySet()) if (!after.containsKey(k) && !Path.of(k).startsWith(run)) outside.add("deleted: " + k);
        assertTrue(outside.isEmpty(), "changes outside the run folder " + run + ": " + outside);
        assertTrue(after.keySet().stream().anyMatch(k -> k.endsWith(Checkpoints.LAST)), "no checkpoint written");
    }

    /** Path -> size and SHA-256 of every regular file under {@code root}. */
    static Map<String, String> fingerprint(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p)) continue;
                try (InputStream in = Files.newInputStream(p)) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
                    out.put(p.toString(), Files.size(p) + ":" + HexFormat.of().formatHex(md.digest()));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    private static void writeIdx(Dataset d, Path images, Path labels) throws IOException {
        var first = d.get(0);
        int h = first.height(), w = first.width();
        java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + d.size() * h * w);
        img.putInt(0x803).putInt(d.size()).putInt(h).putInt(w);
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + d.size());
        lab.putInt(0x801).putInt(d.size());
        for (int i = 0; i < d.size(); i++) {
            var e = d.get(i);
            for (float v : e.pixels()) img.put((byte) Math.round(v * 255));
            lab.put((byte) e.label());
        }
        Files.write(images, img.array());
        Files.write(labels, lab.array());
    }
}
