package dev.efficientnet.spark;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.inference.Prediction;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SparkPredictor} on a real two-executor local cluster against the single-process classifier. */
class SparkPredictorTest {
    static final List<String> LABELS = List.of("apple", "banana", "cherry", "date");
    static final int IMAGES = 12;

    @TempDir
    static Path tmp;
    static Path weights;
    static List<Path> files = new ArrayList<>();
    static Classifier local;

    @BeforeAll
    static void setUp() throws Exception {
        ModelSpec spec = Presets.get("efficientnet_b0", 0.25, 0.25, 4);
        EfficientNet model = EfficientNet.create(spec, 3);
        float[] bias = {0, 1.5f, 1.2f, 0.5f};
        MemoryScope.outside(() -> model.head().classifier().bias().assign(Tensor.of(bias, 4)));
        weights = tmp.resolve("tiny.safetensors");
        Weights.save(model, weights, Naming.TIMM);
        Path dir = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < IMAGES; i++) {
            int w = 30 + 7 * i, h = 50 + 3 * i, seed = i;
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    img.setRGB(x, y, ((x * (seed + 3) + y * 11) % 256) << 16 | ((y * (seed + 5)) % 256) << 8 | (x * y + seed * 40) % 256);
            Path f = dir.resolve(String.format("img%02d.%s", i, i % 3 == 0 ? "jpg" : "png"));
            assertTrue(ImageIO.write(img, i % 3 == 0 ? "jpg" : "png", f.toFile()));
            files.add(f);
        }
        Path bad = dir.resolve("zz-broken.png");
        Files.writeString(bad, "not an image");
        files.add(bad);
        EfficientNet single = EfficientNet.create(spec);
        Weights.load(single, weights);
        local = Classifier.of(single, LABELS);
    }

    static SparkPredictor predictor() throws Exception {
        return SparkPredictor.builder(ModelSource.preset("efficientnet_b0", 0.25, 0.25, 4), Files.readAllBytes(weights))
                .labels(LABELS).topK(3).batchSize(2).build();
    }

    @Test
    void pathColumnMatchesSingleProcessOnTwoExecutorsAndBuildsOncePerExecutor() throws Exception {
        SparkSession spark = TestCluster.session();
        List<String> paths = new ArrayList<>();
        for (Path f : files) paths.add(f.toString());
        paths.add(tmp.resolve("missing.png").toString());
        Dataset<Row> df = spark.createDataset(paths, Encoders.STRING()).toDF("path").repartition(6);
        SparkPredictor p = predictor();
        List<Row> rows = p.transform(df).collectAsList();
        assertEquals(paths.size(), rows.size());
        Map<String, Row> byPath = new HashMap<>();
        for (Row r : rows) byPath.put(r.getString(0), r);
        for (Path f : files.subList(0, IMAGES)) check(byPath.get(f.toString()), f);
        Row broken = byPath.get(files.get(IMAGES).toString());
        assertNull(broken.get(1));
        assertNull(broken.get(3));
        assertTrue(broken.getString(4).contains("zz-broken.png"), broken.getString(4));
        Row missing = byPath.get(tmp.resolve("missing.png").toString());
        assertTrue(missing.getString(4).contains("does not exist"), missing.getString(4));
        assertEquals(2, p.executorIds().size(), "both executors score: " + p.executorIds());
        assertEquals(2, p.modelBuilds(), "one model per executor JVM for 6 partitions");
    }

    @Test
    void binaryFileContentColumn() throws Exception {
        SparkSession spark = TestCluster.session();
        Dataset<Row> df = spark.read().format("binaryFile").load(tmp.resolve("images").toString()).repartition(3);
        SparkPredictor p = SparkPredictor.builder(ModelSource.preset("efficientnet_b0", 0.25, 0.25, 4), Files.readAllBytes(weights))
                .labels(LABELS).topK(3).contentColumn("content").build();
        Dataset<Row> out = p.transform(df).drop("content");
        List<Row> rows = out.collectAsList();
        assertEquals(IMAGES + 1, rows.size());
        int errors = 0;
        for (Row r : rows) {
            String path = r.getString(r.fieldIndex("path"));
            Path f = Path.of(java.net.URI.create(path));
            if (f.getFileName().toString().startsWith("zz")) {
                errors++;
                assertNull(r.get(r.fieldIndex(SparkPredictor.INDICES)));
                String e = r.getString(r.fieldIndex(SparkPredictor.ERROR));
                assertTrue(e.contains("zz-broken.png") && !e.contains("efficientnet-image-"), e);
            } else {
                List<Integer> idx = r.getList(r.fieldIndex(SparkPredictor.INDICES));
                List<Float> prob = r.getList(r.fieldIndex(SparkPredictor.PROBABILITIES));
                compare(f, idx, prob);
            }
        }
        assertEquals(1, errors);
    }

    @Test
    void wrongColumnsAreNamed() throws Exception {
        SparkSession spark = TestCluster.session();
        Dataset<Row> df = spark.createDataset(List.of("a"), Encoders.STRING()).toDF("file");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> predictor().transform(df));
        assertTrue(e.getMessage().contains("no column 'path'"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> predictor().transform(df.toDF("path").withColumn("error", org.apache.spark.sql.functions.lit("x"))));
        assertTrue(e2.getMessage().contains("'error'"), e2.getMessage());
    }

    private static void check(Row r, Path f) throws Exception {
        assertNotNull(r, "row for " + f);
        assertNull(r.get(4), () -> "error for " + f + ": " + r.get(4));
        List<Integer> idx = r.getList(1);
        List<Float> prob = r.getList(2);
        List<String> labels = r.getList(3);
        compare(f, idx, prob);
        for (int i = 0; i < idx.size(); i++) assertEquals(LABELS.get(idx.get(i)), labels.get(i));
    }

    private static void compare(Path f, List<Integer> idx, List<Float> prob) throws Exception {
        List<Prediction> expected = local.topK(Images.read(f), 3);
        assertEquals(3, idx.size());
        assertEquals(expected.get(0).classIndex(), idx.get(0), "top-1 of " + f);
        for (int i = 0; i < 3; i++) {
            float[] all = local.probabilities(Images.read(f));
            assertEquals(all[idx.get(i)], prob.get(i), 1e-5, "probability of class " + idx.get(i) + " for " + f);
        }
    }
}
