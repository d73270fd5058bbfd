package dev.efficientnet.train;

import dev.efficientnet.train.data.CsvDataset;
import dev.efficientnet.train.data.DataException;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.data.IdxDataset;
import dev.efficientnet.train.data.LabelCheck;
import dev.efficientnet.train.data.ImageFolderDataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the training and test data behind a {@code --data PATH}:
 * <ol>
 *   <li>a folder with IDX files in the MNIST layout ({@code train-images-idx3-ubyte[.gz]},
 *       {@code train-labels-idx1-ubyte[.gz]}, and {@code t10k-...} for the test set);</li>
 *   <li>an image folder with {@code train/} and {@code test/} (or {@code val/}) sub-folders, each
 *       holding one folder per class;</li>
 *   <li>a folder with {@code train.csv} and {@code test.csv} (or {@code val.csv}), or a single
 *       {@code .csv} file ({@code path,label} rows; paths relative to the CSV's folder);</li>
 *   <li>a folder of class folders.</li>
 * </ol>
 * When no test part exists, a seeded 10% of the training data is held out as the test set.
 * The embedded Fashion-MNIST subset is {@link #embeddedFashionMnist()}.
 */
public final class DataSources {
    /** Fraction held out when the data has no test part. */
    public static final double HOLDOUT = 0.1;
    private static final String EMBEDDED = "/fashion-mnist-subset/";

    private DataSources() {
    }

    /**
     * The data of a run.
     *
     * @param train       training set
     * @param test        test set
     * @param description one line for the console
     */
    public record Split(Dataset train, Dataset test, String description) {
    }

    /** Detects the format of {@code path} and opens it ({@code channels} 1 or 3 for image files). */
    public static Split open(Path path, int channels, long seed) throws DataException {
        if (!Files.exists(path)) throw new DataException(path, "does not exist");
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
                return holdout(CsvDataset.open(path, channels, null), seed, "CSV " + path, path);
            }
            throw new DataException(path, "is a file but not a .csv; expected a folder with IDX files, an image folder or a CSV");
        }
        if (exists(path, "train-images-idx3-ubyte")) {
            IdxDataset train = IdxDataset.loadMnistLayout(path, true, 0);
            String warning = LabelCheck.check(path, train);
            if (exists(path, "t10k-images-idx3-ubyte")) {
                IdxDataset test = IdxDataset.loadMnistLayout(path, false, train.numClasses());
                return new Split(train, test, "IDX " + path + ": " + train.size() + " train, " + test.size() + " test"
                        + (warning.isEmpty() ? "" : "; " + warning));
            }
            return holdout(train, seed, "IDX " + path, path);
        }
        Path trainCsv = path.resolve("train.csv");
        if (Files.isRegularFile(trainCsv)) {
            CsvDataset train = CsvDataset.open(trainCsv, channels, null);
            String warning = LabelCheck.check(trainCsv, train);
            for (String name : new String[]{"test.csv", "val.csv"}) {
                Path t = path.resolve(name);
                if (Files.isRegularFile(t)) {
                    CsvDataset test = CsvDataset.open(t, channels, train.classes());
                    return new Split(train, test, "CSV " + path + ": " + train.size() + " train, " + test.size() + " " + name
                            + (warning.isEmpty() ? "" : "; " + warning));
                }
            }
            return holdout(train, seed, "CSV " + trainCsv, trainCsv);
        }
        Path trainDir = path.resolve("train");
        if (Files.isDirectory(trainDir)) {
            ImageFolderDataset train = ImageFolderDataset.open(trainDir, channels);
            LabelCheck.check(trainDir, train);
            for (String name : new String[]{"test", "val"}) {
                Path t = path.resolve(name);
                if (Files.isDirectory(t)) {
                    ImageFolderDataset test = ImageFolderDataset.open(t, channels);
                    if (!test.classes().equals(train.classes()))
                        throw new DataException(t, "has classes " + test.classes() + " but " + trainDir + " has " + train.classes());
                    return new Split(train, test, "images " + path + ": " + train.size() + " train, " + test.size() + " " + name
                            + ", " + train.numClasses() + " classes");
                }
            }
            return holdout(train, seed, "images " + trainDir, trainDir);
        }
        return holdout(ImageFolderDataset.open(path, channels), seed, "images " + path, path);
    }

    private static boolean exists(Path dir, String base) {
        return Files.isRegularFile(dir.resolve(base)) || Files.isRegularFile(dir.resolve(base + ".gz"));
    }

    private static Split holdout(Dataset d, long seed, String what, Path source) throws DataException {
        String warning = LabelCheck.check(source, d);
        Dataset[] parts = Datasets.split(d, HOLDOUT, seed);
        return new Split(parts[0], parts[1], what + ": " + parts[0].size() + " train, " + parts[1].size()
                + " held out (10%) as test, " + d.numClasses() + " classes" + (warning.isEmpty() ? "" : "; " + warning));
    }

    /**
     * The Fashion-MNIST subset embedded in this jar: 6,000 training images (600 per class) and 1,000
     * test images (100 per class), 28×28 grayscale, MIT licence (Zalando SE), see
     * {@code fashion-mnist-subset/LICENSE}.
     */
    public static Split embeddedFashionMnist() throws DataException {
        Dataset train = embedded("train");
        Dataset test = embedded("t10k");
        return new Split(train, test, "embedded Fashion-MNIST subset: " + train.size() + " train, " + test.size()
                + " test, 10 classes (balanced), 28x28 grayscale");
    }

    private static Dataset embedded(String prefix) throws DataException {
        String images = EMBEDDED + prefix + "-images-idx3-ubyte.gz";
        String labels = EMBEDDED + prefix + "-labels-idx1-ubyte.gz";
        try (InputStream i = DataSources.class.getResourceAsStream(images);
             InputStream l = DataSources.class.getResourceAsStream(labels)) {
            if (i == null || l == null) throw new DataException(images, "is missing from the class path (broken build?)");
            return IdxDataset.load(i, l, "embedded Fashion-MNIST " + prefix, 10);
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw new DataException(images, "cannot be read: " + e.getMessage(), e);
        }
    }
}
