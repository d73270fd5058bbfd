package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.inference.Labels;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.spark.ModelSource;
import dev.efficientnet.spark.SparkPredictor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code efficientnet spark predict ARCH --weights W --images DIR --master URL --output OUT}: scores
 * every image file under {@code DIR} on a Spark cluster ({@link SparkPredictor}) and writes the rows
 * (path, top-k indices, probabilities, labels, error) as Parquet to {@code OUT}. With {@code --json}
 * the last stdout line is one JSON object: {@code images}, {@code executors}, {@code seconds},
 * {@code failed}, and up to 1,000 images {@code images_out}, the array {@code predict --json}
 * prints under {@code images}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        header = "Top-k classes of a folder of images, scored on a Spark cluster, written as Parquet.",
        description = {"Scores every image file (PNG, JPEG, BMP, GIF) under --images with ARCH and --weights on the",
                "executors of --master (the model is built once per executor JVM from broadcast weights) and",
                "writes one Parquet row per image to --output: path, top_k_indices, top_k_probabilities,",
                "top_k_labels (with --labels) and error (an unreadable image gets null predictions and the",
                "reason, never a failed job). The predictions are those of 'efficientnet predict'."})
public final class SparkPredictCommand extends CliCommand {
    /** Up to this many images, --json lists every prediction under images_out. */
    static final int MAX_LISTED = 1000;
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Mixin
    ModelOptions model;

    @Option(names = "--weights", paramLabel = "W.safetensors", required = true,
            description = "Weights (timm, torchvision or native naming).")
    Path weights;

    @Option(names = "--images", paramLabel = "DIR", required = true,
            description = "Folder of images (searched recursively); every executor must read the same path.")
    Path images;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], local-cluster[W,C,MB], spark://host:port, yarn, ... (default: spark-submit's).")
    String master;

    @Option(names = "--output", paramLabel = "OUT", required = true, description = "Parquet folder to write (must not exist).")
    Path output;

    @Option(names = "--labels", paramLabel = "labels.txt", description = "Class names, one per line (line i names class i).")
    Path labelsFile;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "8", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--partitions", paramLabel = "P", description = "Spark partitions (default: 4 x the cluster's default parallelism).")
    Integer partitions;

    @Option(names = "--json", description = "Print one JSON object (one line) as the last stdout line.")
    boolean json;

    /** Creates the command. */
    public SparkPredictCommand() {
    }

    @Override
    protected int execute() throws Exception {
        ModelSpec spec = Architectures.resolve(arch, model);
        requireAtLeast("--top-k", topK, 1);
        requireAtLeast("--batch", batch, 1);
        if (partitions != null) requireAtLeast("--partitions", partitions, 1);
        if (spec.numClasses() < 1) throw CliException.usage("predict needs a classifier, but the model has 0 classes (--num-classes)");
        if (spec.inChannels() != 3)
            throw CliException.usage("predict reads RGB images, but " + spec.name() + " takes " + spec.inChannels() + " channels");
        InferCommand.requireFile("--weights", weights);
        if (!Files.isDirectory(images)) throw CliException.usage("--images " + images + " is not a folder");
        if (Files.exists(output)) throw CliException.usage("--output " + output + " already exists; choose a new folder (nothing is overwritten)");
        List<String> labels = labelsFile == null ? null : readLabels(spec);
        List<Path> files = list(images);
        if (files.isEmpty()) throw CliException.usage("--images " + images + " holds no image files (" + String.join(", ", EXTENSIONS) + ")");
        InferCommand.loadModel(spec, weights);   // wrong or corrupt weights: a usage error before any cluster work
        byte[] bytes = Files.readAllBytes(weights);

        Map<String, String> display = new HashMap<>();
        List<String> absolute = new ArrayList<>(files.size());
        for (Path f : files) {
            String a = f.toAbsolutePath().normalize().toString();
            absolute.add(a);
            display.put(a, f.toString());
        }
        long t0 = System.nanoTime();
        SparkPredictor predictor = SparkPredictor.builder(
                        ModelSource.preset(spec.name(), spec.widthMult(), spec.depthMult(), spec.numClasses()), bytes)
                .labels(labels).topK(topK).batchSize(batch).build();
        int failed;
        List<Row> rows;
        int executors;
        try (SparkSessions.Handle h = SparkSessions.open(master, "efficientnet spark predict")) {
            int parts = partitions != null ? partitions
                    : Math.min(files.size(), 4 * h.session().sparkContext().defaultParallelism());
            Dataset<Row> df = h.session().createDataset(absolute, Encoders.STRING()).toDF("path").repartition(parts);
            predictor.transform(df).write().parquet(output.toAbsolutePath().toString());
            executors = predictor.executorIds().size();
            Dataset<Row> written = h.session().read().parquet(output.toAbsolutePath().toString());
            failed = (int) written.filter(written.col(SparkPredictor.ERROR).isNotNull()).count();
            rows = files.size() <= MAX_LISTED || !json ? written.orderBy("path").collectAsList() : List.of();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Row> byPath = new HashMap<>();
        for (Row r : rows) byPath.put(r.getString(r.fieldIndex("path")), r);
        for (String a : absolute) {
            Row r = byPath.get(a);
            if (r != null && !r.isNullAt(r.fieldIndex(SparkPredictor.ERROR)))
                err().println("warning: " + InferCommand.oneLine(r.getString(r.fieldIndex(SparkPredictor.ERROR))));
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", spec.name());
            m.put("weights", weights.toString());
            m.put("output", output.toString());
            m.put("images", files.size());
            m.put("failed", failed);
            m.put("executors", executors);
            m.put("seconds", seconds);
            m.put("top_k", topK);
            if (files.size() <= MAX_LISTED) {
                List<Object> list = new ArrayList<>();
                for (String a : absolute) list.add(toJson(display.get(a), byPath.get(a)));
                m.put("images_out", list);
            }
            out().println(Json.write(m));
        } else {
            out().printf(Locale.ROOT, "%d images (%d failed) scored on %d executor(s) in %.1f s; predictions in %s%n",
                    files.size(), failed, executors, seconds, output);
        }
        return 0;
    }

    private static Map<String, Object> toJson(String file, Row r) {
        Map<String, Object> img = new LinkedHashMap<>();
        img.put("file", file);
        if (r == null || !r.isNullAt(r.fieldIndex(SparkPredictor.ERROR))) {
            img.put("predictions", null);
            img.put("error", r == null ? "no output row" : r.getString(r.fieldIndex(SparkPredictor.ERROR)));
            return img;
        }
        List<Integer> idx = r.getList(r.fieldIndex(SparkPredictor.INDICES));
        List<Float> prob = r.getList(r.fieldIndex(SparkPredictor.PROBABILITIES));
        List<String> lab = List.of(r.schema().fieldNames()).contains(SparkPredictor.LABELS)
                ? r.getList(r.fieldIndex(SparkPredictor.LABELS)) : null;
        List<Object> preds = new ArrayList<>();
        for (int i = 0; i < idx.size(); i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", idx.get(i));
            e.put("label", lab == null ? null : lab.get(i));
            e.put("probability", prob.get(i));
            preds.add(e);
        }
        img.put("predictions", preds);
        return img;
    }

    /** The image files under {@code dir}, sorted by path. */
    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e)))
                    .sorted().toList();
        }
    }

    private List<String> readLabels(ModelSpec spec) {
        InferCommand.requireFile("--labels", labelsFile);
        List<String> labels;
        try {
            labels = Labels.read(labelsFile);
        } catch (IOException e) {
            throw CliException.usage("--labels " + labelsFile + ": cannot read: " + InferCommand.oneLine(String.valueOf(e.getMessage())));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--" + InferCommand.oneLine(e.getMessage()));
        }
        if (labels.size() != spec.numClasses())
            throw CliException.usage("--labels " + labelsFile + " has " + labels.size() + " labels but " + spec.name()
                    + " has " + spec.numClasses() + " classes (--num-classes)");
        return labels;
    }
}
