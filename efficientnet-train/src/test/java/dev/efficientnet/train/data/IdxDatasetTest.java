package dev.efficientnet.train.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxDatasetTest {
    @TempDir
    Path dir;

    private static final int[] LABELS = {3, 0, 9, 1, 2};

    @Test
    void rawAndGzipLoadIdentically() throws Exception {
        byte[] img = IdxFiles.images(5, 4, 3);
        byte[] lab = IdxFiles.labels(LABELS);
        IdxDataset raw = IdxDataset.load(IdxFiles.write(dir, "i", img), IdxFiles.write(dir, "l", lab));
        IdxDataset gz = IdxDataset.load(IdxFiles.write(dir, "i.gz", IdxFiles.gzip(img)),
                IdxFiles.write(dir, "l.gz", IdxFiles.gzip(lab)), 10);
        assertEquals(5, raw.size());
        assertEquals(10, raw.numClasses()); // inferred: max label 9 + 1
        assertEquals(1, raw.channels());
        assertEquals(4, raw.height());
        assertEquals(3, raw.width());
        for (int i = 0; i < 5; i++) {
            Example a = raw.get(i), b = gz.get(i);
            assertArrayEquals(a.pixels(), b.pixels());
            assertEquals(LABELS[i], a.label());
            assertEquals(LABELS[i], b.label());
            assertEquals(4, a.height());
            assertEquals(3, a.width());
            for (int k = 0; k < 12; k++) {
                int expected = ((i * 12 + k) * 37 + 11) & 0xFF;
                assertEquals(expected / 255f, a.pixels()[k], 1e-7f);
            }
        }
        // fresh arrays on every call
        raw.get(0).pixels()[0] = 42;
        assertTrue(raw.get(0).pixels()[0] <= 1f);
    }

    @Test
    void streamsLoadAndMixedCompression() throws Exception {
        byte[] img = IdxFiles.images(5, 2, 2);
        IdxDataset d = IdxDataset.load(new ByteArrayInputStream(IdxFiles.gzip(img)),
                new ByteArrayInputStream(IdxFiles.labels(LABELS)), "mem", 10);
        assertEquals(5, d.size());
        assertEquals(9, d.get(2).label());
    }

    @Test
    void fourDimensionalRgbImages() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(20 + 2 * 2 * 2 * 3);
        b.putInt(0x00000804).putInt(2).putInt(2).putInt(2).putInt(3);
        for (int i = 0; i < 24; i++) b.put((byte) (i * 10));
        IdxDataset d = IdxDataset.load(IdxFiles.write(dir, "i", b.array()), IdxFiles.write(dir, "l", IdxFiles.labels(0, 1)));
        assertEquals(3, d.channels());
        assertEquals(12, d.get(1).pixels().length);
        assertEquals(120 / 255f, d.get(1).pixels()[0], 1e-7f);
    }

    @Test
    void int32Labels() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * 5);
        b.putInt(0x00000C01).putInt(5);
        for (int l : LABELS) b.putInt(l);
        IdxDataset d = IdxDataset.load(IdxFiles.write(dir, "i", IdxFiles.images(5, 2, 2)), IdxFiles.write(dir, "l", b.array()));
        assertEquals(LABELS[2], d.label(2));
        // negative int32 label
        b.putInt(8 + 4, -1);
        Path bad = IdxFiles.write(dir, "neg", b.array());
        DataException e = assertThrows(DataException.class, () -> IdxDataset.load(dir.resolve("i"), bad));
        assertTrue(e.getMessage().contains("neg") && e.getMessage().contains("label -1"), e.getMessage());
    }

    private DataException failImages(String name, byte[] images) throws Exception {
        Path i = IdxFiles.write(dir, name, images);
        Path l = IdxFiles.write(dir, "labels-ok", IdxFiles.labels(LABELS));
        DataException e = assertThrows(DataException.class, () -> IdxDataset.load(i, l, 10));
        assertTrue(e.getMessage().contains(i.toString()), "message names the file: " + e.getMessage());
        return e;
    }

    @Test
    void badMagicNamesFile() throws Exception {
        byte[] img = IdxFiles.images(5, 2, 2);
        img[0] = 0x12;
        assertTrue(failImages("bad-magic", img).getMessage().contains("bad magic"));
        // a label file given as the image file
        DataException e = failImages("swapped", IdxFiles.labels(LABELS));
        assertTrue(e.getMessage().contains("label file"), e.getMessage());
        // wrong dimension count
        byte[] twoDim = IdxFiles.images(5, 2, 2);
        twoDim[3] = 2;
        assertTrue(failImages("dims", twoDim).getMessage().contains("2 dimensions"));
    }

    @Test
    void truncatedAndOversizedRawFilesNameFile() throws Exception {
        byte[] img = IdxFiles.images(5, 4, 4);
        DataException e = failImages("short", Arrays.copyOf(img, img.length - 3));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = failImages("long", Arrays.copyOf(img, img.length + 1));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
        e = failImages("header-only", Arrays.copyOf(img, 10));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        e = failImages("empty", new byte[0]);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedGzipNamesFile() throws Exception {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(5, 8, 8));
        DataException e = failImages("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
        byte[] garbage = gz.clone();
        for (int i = 12; i < garbage.length - 8; i++) garbage[i] ^= 0x5A;
        failImages("garbage.gz", garbage);
    }

    @Test
    void absurdDeclaredSizeIsRejectedBeforeAllocating() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt(0x00000803).putInt(60000).putInt(2000).putInt(2000);
        DataException e = failImages("huge", b.array());
        assertTrue(e.getMessage().contains("too large") || e.getMessage().contains("bytes"), e.getMessage());
        ByteBuffer plausible = ByteBuffer.allocate(16);
        plausible.putInt(0x00000803).putInt(60000).putInt(100).putInt(100);
        DataException g = failImages("huge.gz", IdxFiles.gzip(plausible.array()));
        assertTrue(g.getMessage().contains("impossible for a gzip file"), g.getMessage());
    }

    @Test
    void labelOutOfRangeAndCountMismatch() throws Exception {
        Path i = IdxFiles.write(dir, "imgs", IdxFiles.images(5, 2, 2));
        Path l = IdxFiles.write(dir, "labs", IdxFiles.labels(LABELS));
        DataException e = assertThrows(DataException.class, () -> IdxDataset.load(i, l, 5));
        assertTrue(e.getMessage().contains(l.toString()) && e.getMessage().contains("label 9 of example 2"), e.getMessage());
        Path few = IdxFiles.write(dir, "few", IdxFiles.labels(1, 2, 3));
        e = assertThrows(DataException.class, () -> IdxDataset.load(i, few));
        assertTrue(e.getMessage().contains(few.toString()) && e.getMessage().contains("3 labels"), e.getMessage());
        Path missing = dir.resolve("nope");
        e = assertThrows(DataException.class, () -> IdxDataset.load(missing, l));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void realFashionMnistIfPresent() throws Exception {
        Path fm = Path.of("/usr/share/datasets/fashion-mnist");
        Assumptions.assumeTrue(Files.isRegularFile(fm.resolve("t10k-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        IdxDataset test = IdxDataset.loadMnistLayout(fm, false, 10);
        assertEquals(10000, test.size());
        assertEquals(28, test.height());
        assertEquals(28, test.width());
        assertEquals(10, test.numClasses());
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) counts[test.label(i)]++;
        for (int c : counts) assertEquals(1000, c); // the test split is balanced
        float max = 0;
        for (float v : test.get(0).pixels()) max = Math.max(max, v);
        assertTrue(max > 0.5f && max <= 1f);
        assertEquals(9, test.get(0).label()); // first test image is an ankle boot
    }
}
