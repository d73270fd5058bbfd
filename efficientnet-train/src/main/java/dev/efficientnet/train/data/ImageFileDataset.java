package dev.efficientnet.train.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A dataset of image files with known labels, decoded lazily on {@link #get} with
 * {@link ImageFiles#read} (a corrupt image fails with a {@link DataException} naming the file).
 * {@link ImageFolderDataset} and {@link CsvDataset} differ only in how they find the files.
 */
public abstract class ImageFileDataset implements Dataset {
    private final Path source;
    private final List<String> classes;
    private final Path[] files;
    private final int[] labels;
    private final int channels;

    /**
     * @param source   the folder or file the list came from (for {@link #describe})
     * @param classes  class names, index = label
     * @param files    one image file per example
     * @param labels   one label per example
     * @param channels 3 for RGB, 1 for grayscale
     */
    ImageFileDataset(Path source, List<String> classes, Path[] files, int[] labels, int channels) {
        this.source = source;
        this.classes = List.copyOf(classes);
        this.files = files;
        this.labels = labels;
        this.channels = channels;
    }

    /** The class names, index = label. */
    public List<String> classes() {
        return classes;
    }

    /** The image file of example {@code index}. */
    public Path file(int index) {
        return files[Objects.checkIndex(index, files.length)];
    }

    /** The label of example {@code index} without decoding it. */
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int numClasses() {
        return classes.size();
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public Example get(int index) throws DataException {
        Objects.checkIndex(index, files.length);
        return ImageFiles.read(files[index], channels, labels[index]);
    }

    /** What kind of list this is, e.g. "image folder" or "CSV". */
    abstract String kind();

    @Override
    public String describe() {
        return kind() + " " + source + ": " + files.length + " images, " + classes.size() + " classes, "
                + channels + " channel(s)";
    }

    @Override
    public String toString() {
        return describe();
    }
}
