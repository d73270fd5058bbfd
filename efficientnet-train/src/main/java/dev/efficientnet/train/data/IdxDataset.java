package dev.efficientnet.train.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A dataset in the IDX format of MNIST and Fashion-MNIST: an image file (magic {@code 0x00000803},
 * unsigned bytes, dimensions {@code [n, rows, cols]}, or {@code 0x00000804} with
 * {@code [n, rows, cols, channels]}) and a label file (magic {@code 0x00000801} unsigned bytes or
 * {@code 0x00000C01} big-endian int32, dimension {@code [n]}). Each file may be gzipped or raw,
 * detected from its first bytes. Everything is validated: magic numbers, element types, dimension
 * counts, sizes against the file length, equal counts, label range. Images are held in memory as
 * bytes (Fashion-MNIST train: 47 MB) and converted to [0, 1] floats on {@link #get}.
 */
public final class IdxDataset implements Dataset {
    /** The ten Fashion-MNIST class names, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final int TYPE_UBYTE = 0x08;
    private static final int TYPE_INT = 0x0C;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16L;
    /** Deflate cannot expand data by more than about 1032:1; larger declared sizes are corrupt. */
    private static final long MAX_DEFLATE_RATIO = 1100;

    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
    }

    private final byte[] pixels;
    private final int[] labels;
    private final int n;
    private final int rows;
    private final int cols;
    private final int channels;
    private final int numClasses;
    private final String name;

    private IdxDataset(byte[] pixels, int[] labels, int rows, int cols, int channels, int numClasses, String name) {
        this.pixels = pixels;
        this.labels = labels;
        this.n = labels.length;
        this.rows = rows;
        this.cols = cols;
        this.channels = channels;
        this.numClasses = numClasses;
        this.name = name;
    }

    /** Loads an image and a label file, inferring the number of classes as the largest label + 1. */
    public static IdxDataset load(Path images, Path labels) throws DataException {
        return load(images, labels, 0);
    }

    /**
     * Loads an image and a label file.
     *
     * @param numClasses the number of classes (labels must lie in {@code [0, numClasses)}), or 0 to
     *                   infer it as the largest label + 1
     * @throws DataException naming the file for a missing, unreadable, corrupt or truncated file, a
     *                       wrong magic number or dimension count, a size that does not match the
     *                       file length, differing counts, or a label out of range
     */
    public static IdxDataset load(Path images, Path labels, int numClasses) throws DataException {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0 (0 = infer), got " + numClasses);
        Header ih;
        byte[] px;
        try (InputStream in = openFile(images)) {
            boolean gz = isGzip(in);
            InputStream s = gz ? gunzip(in, images.toString()) : in;
            long fileSize = Files.size(images);
            ih = readHeader(s, images.toString(), true);
            checkDeclaredSize(ih, fileSize, gz, images.toString());
            px = readBody(s, ih, images.toString());
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw ioFailure(images, e);
        }
        int[] lab;
        try (InputStream in = openFile(labels)) {
            boolean gz = isGzip(in);
            InputStream s = gz ? gunzip(in, labels.toString()) : in;
            long fileSize = Files.size(labels);
            Header lh = readHeader(s, labels.toString(), false);
            checkDeclaredSize(lh, fileSize, gz, labels.toString());
            lab = readLabels(s, lh, labels.toString());
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw ioFailure(labels, e);
        }
        return build(px, ih, lab, numClasses, images.toString(), labels.toString(),
                images.getFileName() + " + " + labels.getFileName());
    }

    /**
     * Loads from two streams (gzipped or raw). {@code name} identifies the data in error messages
     * ("name (images)" / "name (labels)"). The streams are read to the end but not closed.
     */
    public static IdxDataset load(InputStream images, InputStream labels, String name, int numClasses)
            throws DataException {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(name, "name");
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0 (0 = infer), got " + numClasses);
        String iname = name + " (images)", lname = name + " (labels)";
        Header ih;
        byte[] px;
        int[] lab;
        try {
            InputStream in = new BufferedInputStream(images, 1 << 16);
            InputStream s = isGzip(in) ? gunzip(in, iname) : in;
            ih = readHeader(s, iname, true);
            checkDeclaredSize(ih, -1, false, iname);
            px = readBody(s, ih, iname);
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw new DataException(iname, "cannot read: " + e, e);
        }
        try {
            InputStream in = new BufferedInputStream(labels, 1 << 16);
            InputStream s = isGzip(in) ? gunzip(in, lname) : in;
            Header lh = readHeader(s, lname, false);
            checkDeclaredSize(lh, -1, false, lname);
            lab = readLabels(s, lh, lname);
        } catch (DataException e) {
            throw e;
        } catch (IOException e) {
            throw new DataException(lname, "cannot read: " + e, e);
        }
        return build(px, ih, lab, numClasses, iname, lname, name);
    }

    /**
     * Loads the MNIST file layout from {@code dir}: {@code train-images-idx3-ubyte} and
     * {@code train-labels-idx1-ubyte} (or {@code t10k-...} when {@code train} is false), each with or
     * without a {@code .gz} suffix.
     */
    public static IdxDataset loadMnistLayout(Path dir, boolean train, int numClasses) throws DataException {
        String prefix = train ? "train" : "t10k";
        return load(find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"), numClasses);
    }

    private static Path find(Path dir, String base) throws DataException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) return raw;
        throw new DataException(dir.resolve(base), "neither " + base + " nor " + base + ".gz exists in " + dir);
    }

    private static IdxDataset build(byte[] px, Header ih, int[] lab, int numClasses, String imagesName,
                                    String labelsName, String name) throws DataException {
        if (ih.dims[0] != lab.length)
            throw new DataException(labelsName, "holds " + lab.length + " labels but " + imagesName + " holds "
                    + ih.dims[0] + " images");
        int max = -1;
        for (int i = 0; i < lab.length; i++) {
            int l = lab[i];
            if (l < 0 || (numClasses > 0 && l >= numClasses))
                throw new DataException(labelsName, "label " + l + " of example " + i + " is outside [0, "
                        + (numClasses > 0 ? numClasses : "inf") + ")");
            max = Math.max(max, l);
        }
        int classes = numClasses > 0 ? numClasses : max + 1;
        int channels = ih.dims.length == 4 ? ih.dims[3] : 1;
        return new IdxDataset(px, lab, ih.dims[1], ih.dims[2], channels, classes, name);
    }

    private static InputStream openFile(Path file) throws DataException {
        if (Files.isDirectory(file)) throw new DataException(file, "is a directory, not an IDX file");
        try {
            return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new DataException(file, "file does not exist", e);
        } catch (IOException e) {
            throw new DataException(file, "cannot open: " + e.getMessage(), e);
        }
    }

    private static DataException ioFailure(Path file, IOException e) {
        if (e instanceof EOFException)
            return new DataException(file, "truncated (unexpected end of data" + (e.getMessage() == null ? "" : ": "
                    + e.getMessage()) + ")", e);
        if (e instanceof ZipException)
            return new DataException(file, "corrupt gzip data: " + e.getMessage(), e);
        return new DataException(file, "cannot read: " + e, e);
    }

    private static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return b0 == 0x1F && b1 == 0x8B;
    }

    private static InputStream gunzip(InputStream in, String name) throws IOException {
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (ZipException | EOFException e) {
            throw new DataException(name, "corrupt or truncated gzip header: " + e.getMessage(), e);
        }
    }

    private record Header(int type, int[] dims, long bodyBytes) {
    }

    private static Header readHeader(InputStream s, String name, boolean images) throws IOException {
        byte[] m = s.readNBytes(4);
        if (m.length < 4) throw new DataException(name, "truncated: " + m.length + " bytes, too short for an IDX header");
        int magic = ((m[0] & 0xFF) << 24) | ((m[1] & 0xFF) << 16) | ((m[2] & 0xFF) << 8) | (m[3] & 0xFF);
        String expected = images ? "an IDX image file (magic 0x00000803 or 0x00000804)"
                : "an IDX label file (magic 0x00000801 or 0x00000C01)";
        if (m[0] != 0 || m[1] != 0)
            throw new DataException(name, String.format("bad magic number 0x%08X: not an IDX file (expected %s)",
                    magic, expected));
        int type = m[2] & 0xFF, ndim = m[3] & 0xFF;
        boolean ok = images ? type == TYPE_UBYTE && (ndim == 3 || ndim == 4)
                : (type == TYPE_UBYTE || type == TYPE_INT) && ndim == 1;
        if (!ok) {
            String what = type == TYPE_UBYTE && ndim == 1 ? " (an IDX label file)"
                    : type == TYPE_UBYTE && ndim == 3 ? " (an IDX image file)" : "";
            throw new DataException(name, String.format("bad magic number 0x%08X%s: element type 0x%02X with %d dimensions;"
                    + " expected %s", magic, what, type, ndim, expected));
        }
        byte[] d = s.readNBytes(4 * ndim);
        if (d.length < 4 * ndim)
            throw new DataException(name, "truncated: header declares " + ndim + " dimensions but ends after "
                    + (4 + d.length) + " bytes");
        int[] dims = new int[ndim];
        long count = 1;
        for (int i = 0; i < ndim; i++) {
            dims[i] = ((d[4 * i] & 0xFF) << 24) | ((d[4 * i + 1] & 0xFF) << 16) | ((d[4 * i + 2] & 0xFF) << 8)
                    | (d[4 * i + 3] & 0xFF);
            if (dims[i] < 1)
                throw new DataException(name, "dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                        + " (sizes must be positive)");
            count *= dims[i];
            if (count > MAX_BYTES)
                throw new DataException(name, "declared size " + java.util.Arrays.toString(dims)
                        + " is too large (more than 2^31 elements)");
        }
        if (images && ndim == 4 && dims[3] != 1 && dims[3] != 3)
            throw new DataException(name, "image channels (dimension 3) is " + dims[3] + "; expected 1 or 3");
        long bytes = count * (type == TYPE_INT ? 4 : 1);
        if (bytes > MAX_BYTES)
            throw new DataException(name, "declared size " + bytes + " bytes is too large");
        return new Header(type, dims, bytes);
    }

    private static void checkDeclaredSize(Header h, long fileSize, boolean gz, String name) throws DataException {
        if (fileSize < 0) return;
        long headerBytes = 4 + 4L * h.dims.length;
        if (!gz) {
            long expected = headerBytes + h.bodyBytes;
            if (fileSize != expected)
                throw new DataException(name, "file is " + fileSize + " bytes but its header declares dimensions "
                        + java.util.Arrays.toString(h.dims) + " = " + expected + " bytes"
                        + (fileSize < expected ? " (truncated)" : " (trailing data)"));
        } else if (h.bodyBytes > fileSize * MAX_DEFLATE_RATIO) {
            throw new DataException(name, "header declares dimensions " + java.util.Arrays.toString(h.dims) + " ("
                    + h.bodyBytes + " bytes), impossible for a gzip file of " + fileSize + " bytes (corrupt header)");
        }
    }

    private static byte[] readBody(InputStream s, Header h, String name) throws IOException {
        Runtime rt = Runtime.getRuntime();
        long freeHeap = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (h.bodyBytes > freeHeap)
            throw new DataException(name, "header declares dimensions " + java.util.Arrays.toString(h.dims) + " = "
                    + h.bodyBytes + " data bytes but only " + (freeHeap >> 20) + " MiB of heap are free (raise -Xmx to load it)");
        byte[] px = new byte[(int) h.bodyBytes];
        int got = s.readNBytes(px, 0, px.length);
        if (got < px.length)
            throw new DataException(name, "truncated: header declares dimensions " + java.util.Arrays.toString(h.dims)
                    + " = " + px.length + " data bytes but the data ends after " + got);
        if (s.read() != -1)
            throw new DataException(name, "trailing data after the " + px.length + " bytes declared by dimensions "
                    + java.util.Arrays.toString(h.dims));
        return px;
    }

    private static int[] readLabels(InputStream s, Header h, String name) throws IOException {
        byte[] raw = readBody(s, h, name);
        int n = h.dims[0];
        int[] lab = new int[n];
        if (h.type == TYPE_UBYTE) {
            for (int i = 0; i < n; i++) lab[i] = raw[i] & 0xFF;
        } else {
            for (int i = 0; i < n; i++)
                lab[i] = ((raw[4 * i] & 0xFF) << 24) | ((raw[4 * i + 1] & 0xFF) << 16) | ((raw[4 * i + 2] & 0xFF) << 8)
                        | (raw[4 * i + 3] & 0xFF);
        }
        return lab;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int channels() {
        return channels;
    }

    /** Image height in pixels. */
    public int height() {
        return rows;
    }

    /** Image width in pixels. */
    public int width() {
        return cols;
    }

    /** The label of example {@code index} without decoding its pixels. */
    public int label(int index) {
        Objects.checkIndex(index, n);
        return labels[index];
    }

    @Override
    public Example get(int index) {
        Objects.checkIndex(index, n);
        int len = rows * cols * channels;
        float[] out = new float[len];
        int off = index * len;
        for (int i = 0; i < len; i++) out[i] = UNIT[pixels[off + i] & 0xFF];
        return new Example(out, rows, cols, channels, labels[index]);
    }

    @Override
    public String describe() {
        return "IDX " + name + ": " + n + " images " + rows + "x" + cols + "x" + channels + ", " + numClasses + " classes";
    }

    @Override
    public String toString() {
        return describe();
    }
}
