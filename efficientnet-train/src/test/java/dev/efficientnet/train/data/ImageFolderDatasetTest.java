package dev.efficientnet.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    @Test
    void classesSortedFilesRecursiveAndPixelsScaled() throws Exception {
        ImageFixtures.png(root.resolve("zebra/b.png"), 3, 2, 10, 20, 30);
        ImageFixtures.png(root.resolve("zebra/a.png"), 3, 2, 40, 50, 60);
        ImageFixtures.png(root.resolve("apple/nested/x.png"), 4, 4, 255, 0, 0);
        Files.writeString(root.resolve("apple/notes.txt"), "not an image");
        Files.writeString(root.resolve("README.md"), "root-level file");
        Files.createDirectories(root.resolve(".hidden"));
        ImageFixtures.png(root.resolve(".hidden/h.png"), 2, 2, 1, 2, 3);
        ImageFolderDataset d = ImageFolderDataset.open(root);
        assertEquals(List.of("apple", "zebra"), d.classes());
        assertEquals(3, d.size());
        assertEquals(2, d.numClasses());
        assertEquals(3, d.channels());
        assertEquals("x.png", d.file(0).getFileName().toString());
        assertEquals("a.png", d.file(1).getFileName().toString());
        assertEquals(0, d.get(0).label());
        assertEquals(1, d.get(2).label());
        Example a = d.get(1);
        assertEquals(2, a.height());
        assertEquals(3, a.width());
        assertEquals(40 / 255f, a.pixels()[0], 1e-6f);
        assertEquals(51 / 255f, a.pixels()[4], 1e-6f); // x = 1: green 50 + 1
        assertEquals(61 / 255f, a.pixels()[3 * 3 + 2], 1e-6f); // y = 1: blue 60 + 1

        ImageFolderDataset gray = ImageFolderDataset.open(root, 1);
        assertEquals(1, gray.channels());
        Example g = gray.get(0);
        assertEquals(16, g.pixels().length);
        assertEquals(0.299f, g.pixels()[0], 1e-5f);
    }

    @Test
    void corruptImageFailsNamingTheFile() throws Exception {
        ImageFixtures.png(root.resolve("a/good.png"), 4, 4, 1, 2, 3);
        Path bad = root.resolve("b/bad.png");
        Files.createDirectories(bad.getParent());
        byte[] png = Files.readAllBytes(ImageFixtures.png(root.resolve("tmp/t.png"), 16, 16, 9, 9, 9));
        Files.write(bad, Arrays.copyOf(png, png.length / 2));
        Path junk = root.resolve("b/junk.jpg");
        Files.write(junk, new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        ImageFolderDataset d = ImageFolderDataset.open(root);
        int badIndex = -1, junkIndex = -1;
        for (int i = 0; i < d.size(); i++) {
            if (d.file(i).equals(bad)) badIndex = i;
            if (d.file(i).equals(junk)) junkIndex = i;
        }
        int bi = badIndex, ji = junkIndex;
        DataException e = assertThrows(DataException.class, () -> d.get(bi));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        DataException e2 = assertThrows(DataException.class, () -> d.get(ji));
        assertTrue(e2.getMessage().contains(junk.toString()), e2.getMessage());
    }

    @Test
    void emptyOrMissingRootFails() throws Exception {
        DataException e = assertThrows(DataException.class, () -> ImageFolderDataset.open(root));
        assertTrue(e.getMessage().contains("no class sub-folders"), e.getMessage());
        Files.createDirectories(root.resolve("cls"));
        e = assertThrows(DataException.class, () -> ImageFolderDataset.open(root));
        assertTrue(e.getMessage().contains("no image files"), e.getMessage());
        Path missing = root.resolve("missing");
        e = assertThrows(DataException.class, () -> ImageFolderDataset.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
