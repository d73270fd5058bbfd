package dev.efficientnet.spark;

import dev.efficientnet.models.image.ImageReadException;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.image.RgbImage;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.inference.Prediction;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Batch inference over a Spark {@link Dataset} of images: {@link #transform} returns the input rows
 * with prediction columns appended.
 *
 * <pre>{@code
 * SparkPredictor p = SparkPredictor.builder(ModelSource.preset("efficientnet_b0"), Files.readAllBytes(weights))
 *         .labels(Labels.read(labelsFile)).topK(5).build();
 * Dataset<Row> images = spark.read().format("binaryFile").load("hdfs:///images");   // or a "path" column
 * p.transform(images).write().parquet("out.parquet");
 * }</pre>
 *
 * <p>Input: a string column of image paths ({@link Builder#pathColumn}, default {@code path}; local
 * paths or {@code file:} URIs readable by every executor), or a binary column of encoded image
 * bytes ({@link Builder#contentColumn}, e.g. {@code content} of Spark's {@code binaryFile} source).
 * Output columns: {@value #INDICES} (array&lt;int&gt;, most probable first), {@value #PROBABILITIES}
 * (array&lt;float&gt;), {@value #LABELS} (array&lt;string&gt;, only with labels) and {@value #ERROR}
 * (string): an image that cannot be read or scored gets null predictions and the reason in
 * {@value #ERROR}, never a failed job.
 *
 * <p>The weights travel once to each executor as a broadcast; the first task on an executor JVM
 * builds the model ({@link ExecutorModels}) and every later task and partition on that JVM reuses
 * it. Images are decoded and scored in batches of {@link Builder#batchSize} rows. Decoding and
 * preprocessing are {@link Images#read} and {@link Classifier}'s eval preprocessing, the same as the
 * single-process {@code predict} command.
 */
public final class SparkPredictor {
    /** Output column: top-k class indices. */
    public static final String INDICES = "top_k_indices";
    /** Output column: top-k probabilities. */
    public static final String PROBABILITIES = "top_k_probabilities";
    /** Output column: top-k labels (only when labels were given). */
    public static final String LABELS = "top_k_labels";
    /** Output column: why an image has no prediction (null when it has one). */
    public static final String ERROR = "error";

    private final ModelSource source;
    private final byte[] weights;
    private final List<String> labels;
    private final int topK;
    private final int batchSize;
    private final String pathColumn;
    private final String contentColumn;
    private CollectionAccumulator<String> executors;
    private LongAccumulator modelBuilds;

    private SparkPredictor(Builder b) {
        this.source = b.source;
        this.weights = b.weights;
        this.labels = b.labels == null ? null : new ArrayList<>(b.labels);
        this.topK = b.topK;
        this.batchSize = b.batchSize;
        this.pathColumn = b.pathColumn;
        this.contentColumn = b.contentColumn;
    }

    /** A builder for the model of {@code source} with the safetensors bytes {@code weights}. */
    public static Builder builder(ModelSource source, byte[] weights) {
        return new Builder(source, weights);
    }

    /**
     * The rows of {@code images} with the prediction columns appended (lazy: runs when an action
     * such as {@code write()} or {@code collect()} runs).
     *
     * @throws IllegalArgumentException if the input column is missing or has the wrong type, or an
     *                                  output column name is already taken
     */
    public Dataset<Row> transform(Dataset<Row> images) {
        Objects.requireNonNull(images, "images");
        StructType in = images.schema();
        boolean content = contentColumn != null;
        String column = content ? contentColumn : pathColumn;
        int index = fieldIndex(in, column);
        DataType expected = content ? DataTypes.BinaryType : DataTypes.StringType;
        if (!in.fields()[index].dataType().equals(expected))
            throw new IllegalArgumentException("column '" + column + "' has type " + in.fields()[index].dataType().simpleString()
                    + ", expected " + expected.simpleString());
        int nameIndex = !content ? index : List.of(in.fieldNames()).contains(pathColumn) ? in.fieldIndex(pathColumn) : -1;
        StructType out = outputSchema(in);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(images.sparkSession().sparkContext());
        Broadcast<byte[]> bc = jsc.broadcast(weights);
        executors = jsc.sc().collectionAccumulator("efficientnet executors");
        modelBuilds = jsc.sc().longAccumulator("efficientnet model builds");
        Scorer scorer = new Scorer(bc, source, labels, topK, batchSize, index, nameIndex, content, executors, modelBuilds);
        return images.mapPartitions(scorer, Encoders.row(out));
    }

    /** The schema {@link #transform} produces for an input schema. */
    public StructType outputSchema(StructType in) {
        StructType out = in;
        for (String c : labels == null ? List.of(INDICES, PROBABILITIES, ERROR) : List.of(INDICES, PROBABILITIES, LABELS, ERROR))
            if (List.of(in.fieldNames()).contains(c))
                throw new IllegalArgumentException("the input already has a column '" + c + "'");
        out = out.add(INDICES, DataTypes.createArrayType(DataTypes.IntegerType, false), true);
        out = out.add(PROBABILITIES, DataTypes.createArrayType(DataTypes.FloatType, false), true);
        if (labels != null) out = out.add(LABELS, DataTypes.createArrayType(DataTypes.StringType, false), true);
        return out.add(new StructField(ERROR, DataTypes.StringType, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    /**
     * The distinct executor ids that scored at least one partition in the actions run so far on
     * the result of the last {@link #transform} ("driver" in local mode).
     */
    public Set<String> executorIds() {
        return executors == null ? Set.of() : new LinkedHashSet<>(executors.value());
    }

    /** How many executor JVMs built the model in the actions run so far (at most one per JVM). */
    public long modelBuilds() {
        return modelBuilds == null ? 0 : modelBuilds.value();
    }

    private static int fieldIndex(StructType schema, String column) {
        if (!List.of(schema.fieldNames()).contains(column))
            throw new IllegalArgumentException("the input has no column '" + column + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        return schema.fieldIndex(column);
    }

    /** Options of a {@link SparkPredictor}. */
    public static final class Builder {
        private final ModelSource source;
        private final byte[] weights;
        private List<String> labels;
        private int topK = 5;
        private int batchSize = 8;
        private String pathColumn = "path";
        private String contentColumn;

        private Builder(ModelSource source, byte[] weights) {
            this.source = Objects.requireNonNull(source, "source");
            this.weights = Objects.requireNonNull(weights, "weights");
        }

        /** Class names, one per class (or null: no label column). */
        public Builder labels(List<String> labels) {
            this.labels = labels;
            return this;
        }

        /** Classes per image (default 5; more than the class count gives every class). */
        public Builder topK(int k) {
            if (k < 1) throw new IllegalArgumentException("topK must be >= 1, got " + k);
            this.topK = k;
            return this;
        }

        /** Images per forward pass inside a partition (default 8). */
        public Builder batchSize(int n) {
            if (n < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + n);
            this.batchSize = n;
            return this;
        }

        /** Reads images from the paths in string column {@code name} (default {@code path}). */
        public Builder pathColumn(String name) {
            this.pathColumn = Objects.requireNonNull(name, "name");
            this.contentColumn = null;
            return this;
        }

        /**
         * Decodes images from the bytes in binary column {@code name} (e.g. {@code content} of the
         * {@code binaryFile} source); the path column, when present, names images in error messages.
         */
        public Builder contentColumn(String name) {
            this.contentColumn = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The predictor. */
        public SparkPredictor build() {
            return new SparkPredictor(this);
        }
    }

    /** The partition function (runs on executors). */
    static final class Scorer implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[]> weights;
        private final ModelSource source;
        private final ArrayList<String> labels;
        private final int topK;
        private final int batchSize;
        private final int column;
        private final int nameColumn;
        private final boolean content;
        private final CollectionAccumulator<String> executors;
        private final LongAccumulator builds;

        Scorer(Broadcast<byte[]> weights, ModelSource source, List<String> labels, int topK, int batchSize, int column,
               int nameColumn, boolean content, CollectionAccumulator<String> executors, LongAccumulator builds) {
            this.weights = weights;
            this.source = source;
            this.labels = labels == null ? null : new ArrayList<>(labels);
            this.topK = topK;
            this.batchSize = batchSize;
            this.column = column;
            this.nameColumn = nameColumn;
            this.content = content;
            this.executors = executors;
            this.builds = builds;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return new Iterator<>() {
                private final List<Row> ready = new ArrayList<>();
                private int next;
                private boolean reported;

                @Override
                public boolean hasNext() {
                    if (next < ready.size()) return true;
                    if (!rows.hasNext()) return false;
                    ready.clear();
                    next = 0;
                    List<Row> batch = new ArrayList<>(batchSize);
                    while (batch.size() < batchSize && rows.hasNext()) batch.add(rows.next());
                    if (!reported) {
                        reported = true;
                        executors.add(SparkEnv.get().executorId());
                    }
                    ready.addAll(score(batch));
                    return true;
                }

                @Override
                public Row next() {
                    if (!hasNext()) throw new java.util.NoSuchElementException();
                    return ready.get(next++);
                }
            };
        }

        private List<Row> score(List<Row> batch) {
            ExecutorModels.Entry e = ExecutorModels.get(weights.id(), source, weights.value(), labels);
            if (e.built()) builds.add(1);
            Classifier classifier = e.classifier();
            int n = batch.size();
            RgbImage[] images = new RgbImage[n];
            String[] errors = new String[n];
            for (int i = 0; i < n; i++) {
                try {
                    images[i] = decode(batch.get(i));
                } catch (ImageReadException ex) {
                    errors[i] = ex.getMessage();
                } catch (RuntimeException ex) {
                    errors[i] = "cannot read image " + name(batch.get(i)) + ": " + ex;
                }
            }
            List<Integer> good = new ArrayList<>();
            for (int i = 0; i < n; i++) if (images[i] != null) good.add(i);
            List<List<Prediction>> preds = new ArrayList<>();
            for (int i = 0; i < n; i++) preds.add(null);
            if (!good.isEmpty()) {
                List<RgbImage> list = new ArrayList<>(good.size());
                for (int i : good) list.add(images[i]);
                try {
                    List<List<Prediction>> r = classifier.topKImages(list, topK);
                    for (int j = 0; j < good.size(); j++) preds.set(good.get(j), r.get(j));
                } catch (RuntimeException batchFailure) {
                    // isolate the image that fails: score one by one
                    for (int i : good) {
                        try {
                            preds.set(i, classifier.topK(images[i], topK));
                        } catch (RuntimeException ex) {
                            errors[i] = "cannot score image " + name(batch.get(i)) + ": " + ex.getMessage();
                        }
                    }
                }
            }
            List<Row> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(append(batch.get(i), preds.get(i), errors[i]));
            return out;
        }

        private Row append(Row row, List<Prediction> p, String error) {
            int width = row.length();
            Object[] values = new Object[width + (labels == null ? 3 : 4)];
            for (int i = 0; i < width; i++) values[i] = row.get(i);
            int k = width;
            if (p == null) {
                values[k++] = null;
                values[k++] = null;
                if (labels != null) values[k++] = null;
            } else {
                List<Integer> idx = new ArrayList<>(p.size());
                List<Float> prob = new ArrayList<>(p.size());
                List<String> lab = new ArrayList<>(p.size());
                for (Prediction q : p) {
                    idx.add(q.classIndex());
                    prob.add(q.probability());
                    lab.add(q.label());
                }
                values[k++] = seq(idx);
                values[k++] = seq(prob);
                if (labels != null) values[k++] = seq(lab);
            }
            values[k] = error;
            return RowFactory.create(values);
        }

        private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
            return scala.jdk.javaapi.CollectionConverters.asScala(list).toList();
        }

        private String name(Row row) {
            int c = content ? nameColumn : column;
            return c < 0 || row.isNullAt(c) ? "(row without a path)" : row.getString(c);
        }

        private RgbImage decode(Row row) throws ImageReadException {
            if (row.isNullAt(column))
                throw new IllegalArgumentException(content ? "the content is null" : "the path is null");
            if (!content) return Images.read(toPath(row.getString(column)));
            byte[] bytes = (byte[]) row.get(column);
            Path tmp = null;
            try {
                tmp = Files.createTempFile("efficientnet-image-", ".bin");
                Files.write(tmp, bytes);
                try {
                    return Images.read(tmp);
                } catch (ImageReadException e) {
                    throw new ImageReadException(Path.of(name(row)),
                            e.getMessage().replace("cannot read image " + tmp + ": ", ""), e.getCause());
                }
            } catch (IOException e) {
                if (e instanceof ImageReadException ire) throw ire;
                throw new ImageReadException(Path.of(name(row)), "cannot stage the image bytes: " + e.getMessage(), e);
            } finally {
                if (tmp != null) try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // harmless
                }
            }
        }

        static Path toPath(String s) {
            if (s.startsWith("file:")) return Path.of(URI.create(s));
            return Path.of(s);
        }
    }
}
