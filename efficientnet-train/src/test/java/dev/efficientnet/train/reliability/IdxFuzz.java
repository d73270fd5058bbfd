package dev.efficientnet.train.reliability;

import dev.efficientnet.train.data.DataException;
import dev.efficientnet.train.data.Example;
import dev.efficientnet.train.data.IdxDataset;
import dev.efficientnet.train.reliability.FuzzTest.Outcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * IDX target of {@link FuzzTest}, raw or gzipped: byte mutations of the image or label file (of the
 * raw bytes before gzipping, or of the gzip stream itself), hostile dimensions, decompression bombs.
 */
final class IdxFuzz implements FuzzTest.Target {
    private static final int N = 12, ROWS = 5, COLS = 4, CLASSES = 10;
    private final boolean gz;
    private byte[] images;
    private byte[] labels;
    private float[][] pixels;
    private int[] labelValues;

    IdxFuzz(boolean gz) {
        this.gz = gz;
    }

    @Override
    public String name() {
        return gz ? "idx-gz" : "idx-raw";
    }

    @Override
    public void prepare(Path dir) {
        Random r = new Random(2);
        ByteBuffer b = ByteBuffer.allocate(16 + N * ROWS * COLS);
        b.putInt(0x00000803).putInt(N).putInt(ROWS).putInt(COLS);
        pixels = new float[N][ROWS * COLS];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < ROWS * COLS; j++) {
                int v = r.nextInt(256);
                b.put((byte) v);
                pixels[i][j] = v / 255f;
            }
        images = b.array();
        ByteBuffer l = ByteBuffer.allocate(8 + N);
        l.putInt(0x00000801).putInt(N);
        labelValues = new int[N];
        for (int i = 0; i < N; i++) {
            labelValues[i] = r.nextInt(CLASSES);
            l.put((byte) labelValues[i]);
        }
        labels = l.array();
    }

    @Override
    public List<String> fixedCases() {
        return List.of("gzip bomb: 1.6 GB of zeros in 1526 gzip members", "sparse raw file declaring 1.6 GB",
                "declared 2^31+ elements", "gzip bomb: declared size beyond the deflate ratio");
    }

    @Override
    public Outcome runFixed(String name, Path dir) throws Exception {
        Path img = dir.resolve("images.idx" + (gz ? ".gz" : ""));
        Path lab = dir.resolve("labels.idx" + (gz ? ".gz" : ""));
        Files.write(lab, gz ? Mutations.gzip(labels) : labels);
        int side = 40_000; // 1 x 40000 x 40000 = 1.6 GB: legal for the format, more than the heap
        switch (name) {
            case "gzip bomb: 1.6 GB of zeros in 1526 gzip members": {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(Mutations.gzip(ByteBuffer.allocate(16).putInt(0x803).putInt(1).putInt(side).putInt(side).array()));
                byte[] member = Mutations.gzip(new byte[1 << 20]);
                long total = (long) side * side;
                for (long done = 0; done < total; done += 1 << 20) {
                    if (total - done < 1 << 20) out.write(Mutations.gzip(new byte[(int) (total - done)]));
                    else out.write(member);
                }
                Files.write(img, out.toByteArray());
                break;
            }
            case "sparse raw file declaring 1.6 GB": {
                img = dir.resolve("images-sparse.idx");
                Files.write(img, ByteBuffer.allocate(16).putInt(0x803).putInt(1).putInt(side).putInt(side).array());
                try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
                    raf.setLength(16L + (long) side * side);
                }
                lab = dir.resolve("labels-1.idx");
                Files.write(lab, ByteBuffer.allocate(9).putInt(0x801).putInt(1).put((byte) 0).array());
                break;
            }
            case "declared 2^31+ elements": {
                byte[] h = ByteBuffer.allocate(16 + 64).putInt(0x803).putInt(3).putInt(0x7FFF0000).putInt(1 << 16).array();
                Files.write(img, gz ? Mutations.gzip(h) : h);
                break;
            }
            default: {
                byte[] h = ByteBuffer.allocate(16 + 64).putInt(0x803).putInt(100).putInt(4096).putInt(4096).array();
                Files.write(img, gz ? Mutations.gzip(h) : h);
            }
        }
        return load(img, lab, null);
    }

    @Override
    public Outcome runRandom(Random r, Path dir, StringBuilder describe) throws Exception {
        boolean mutateImages = r.nextInt(10) < 7;
        byte[] src = mutateImages ? images : labels;
        int headerEnd = mutateImages ? 16 : 8;
        byte[] raw = src;
        Mutations.Mutated m;
        boolean contentOnly; // header bytes and length of the decompressed content untouched
        boolean gzStreamMutated = false;
        if (r.nextInt(5) == 0) {
            // hostile dimension or magic
            raw = src.clone();
            int field = r.nextInt(headerEnd / 4);
            int[] values = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x10000, 46341, N + 1, N - 1, 0x804, 0x801, 0xC01, 0x803,
                    0x0D03, 0x0803_0000};
            int v = values[r.nextInt(values.length)];
            ByteBuffer.wrap(raw).putInt(4 * field, v);
            m = new Mutations.Mutated(raw, 4L * field, true, "header int " + field + " = " + v);
        } else {
            m = Mutations.mutate(src, r, headerEnd);
            raw = m.bytes();
        }
        describe.append(mutateImages ? "images: " : "labels: ").append(m.description());
        contentOnly = m.sameLength() && m.firstChanged() >= headerEnd;
        byte[] file = raw;
        if (gz) {
            if (r.nextBoolean()) {
                Mutations.Mutated g = Mutations.mutate(Mutations.gzip(src), r, 10);
                file = g.bytes();
                gzStreamMutated = true;
                contentOnly = false;
                describe.setLength(0);
                describe.append(mutateImages ? "images.gz: " : "labels.gz: ").append(g.description());
            } else {
                file = Mutations.gzip(raw);
            }
        }
        Path img = dir.resolve("images.idx" + (gz ? ".gz" : ""));
        Path lab = dir.resolve("labels.idx" + (gz ? ".gz" : ""));
        Files.write(img, mutateImages ? file : gz ? Mutations.gzip(images) : images);
        Files.write(lab, mutateImages ? (gz ? Mutations.gzip(labels) : labels) : file);
        Outcome o = load(img, lab, gzStreamMutated ? Boolean.TRUE : contentOnly ? Boolean.FALSE : null);
        if (contentOnly && mutateImages && o == Outcome.REJECTED)
            throw new AssertionError("a mutation inside the pixel data was rejected");
        return o;
    }

    /**
     * Loads and checks. {@code expect}: TRUE = an accepted result must equal the fixture (gzip's
     * CRC guards it); FALSE = the header is untouched, so sizes must equal the fixture's; null = any
     * self-consistent result.
     */
    private Outcome load(Path img, Path lab, Boolean expect) throws IOException {
        IdxDataset d;
        try {
            d = IdxDataset.load(img, lab, CLASSES);
        } catch (DataException e) {
            String m = e.getMessage();
            if (m == null || !(m.contains(img.toString()) || m.contains(lab.toString())))
                throw new AssertionError("exception names neither file: " + e);
            if (Mutations.hasOom(e)) throw new AssertionError("OutOfMemoryError wrapped in " + e);
            return Outcome.REJECTED;
        }
        int len = d.height() * d.width() * d.channels();
        boolean same = d.size() == N && d.height() == ROWS && d.width() == COLS && d.channels() == 1;
        if (expect != null && !same)
            throw new AssertionError("accepted with changed sizes: " + d.describe());
        boolean unchanged = same;
        if ((long) len * d.size() > 1 << 24) return Outcome.ACCEPTED_CHANGED; // a legitimately huge dataset: not decoded here
        for (int i = 0; i < d.size(); i++) {
            Example e = d.get(i);
            if (e.pixels().length != len) throw new AssertionError("example " + i + " has " + e.pixels().length + " values, expected " + len);
            for (float v : e.pixels()) if (!(v >= 0 && v <= 1)) throw new AssertionError("example " + i + " has pixel " + v);
            if (e.label() < 0 || e.label() >= CLASSES) throw new AssertionError("example " + i + " has label " + e.label());
            if (same && (!Arrays.equals(e.pixels(), pixels[i]) || e.label() != labelValues[i])) unchanged = false;
        }
        if (expect == Boolean.TRUE && !unchanged)
            throw new AssertionError("a corrupted gzip stream decoded to different data without an error");
        return unchanged ? Outcome.ACCEPTED : Outcome.ACCEPTED_CHANGED;
    }
}
