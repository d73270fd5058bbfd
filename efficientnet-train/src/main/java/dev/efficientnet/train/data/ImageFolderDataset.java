package dev.efficientnet.train.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Images in class folders, like torchvision's {@code ImageFolder}: {@code root/<class>/.../<image>}.
 * Class names are the sub-folder names sorted by {@link String#compareTo}; class {@code i} is the
 * i-th name. Image files (jpg, jpeg, png, bmp, gif, tif, tiff, wbmp; hidden files skipped) are
 * found recursively inside each class folder and ordered by path. Files at the root level are
 * ignored. Images are decoded lazily on {@link #get} with
 * {@link dev.efficientnet.models.image.Images#read}; a corrupt image fails with a
 * {@link DataException} naming the file.
 */
public final class ImageFolderDataset extends ImageFileDataset {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);


    private ImageFolderDataset(Path root, List<String> classes, Path[] files, int[] labels, int channels) {
        super(root, classes, files, labels, channels);
    }

    /** Opens {@code root} with RGB (3-channel) examples. */
    public static ImageFolderDataset open(Path root) throws DataException {
        return open(root, 3);
    }

    /**
     * Opens {@code root}.
     *
     * @param channels 3 for RGB, 1 for grayscale (luma of the decoded RGB)
     * @throws DataException if {@code root} is not a directory, has no class folders or no images
     */
    public static ImageFolderDataset open(Path root, int channels) throws DataException {
        Objects.requireNonNull(root, "root");
        ImageFiles.checkChannels(channels);
        if (!Files.isDirectory(root)) throw new DataException(root, "is not a directory (expected one sub-folder per class)");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataException(root, "cannot list the directory: " + e.getMessage(), e);
        }
        if (classDirs.isEmpty()) throw new DataException(root, "has no class sub-folders");
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            Path dir = classDirs.get(c);
            classes.add(dir.getFileName().toString());
            List<Path> imgs;
            try (Stream<Path> s = Files.walk(dir)) {
                imgs = s.filter(Files::isRegularFile).filter(ImageFiles::isImage).sorted().toList();
            } catch (IOException | UncheckedIOException e) {
                throw new DataException(dir, "cannot list the class folder: " + e.getMessage(), e);
            }
            if (imgs.isEmpty()) LOG.warn("class folder {} contains no images", dir);
            for (Path p : imgs) {
                files.add(p);
                labels.add(c);
            }
        }
        if (files.isEmpty()) throw new DataException(root, "contains no image files (extensions " + ImageFiles.EXTENSIONS + ")");
        int[] lab = labels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageFolderDataset(root, List.copyOf(classes), files.toArray(new Path[0]), lab, channels);
    }

    @Override
    String kind() {
        return "image folder";
    }
}
