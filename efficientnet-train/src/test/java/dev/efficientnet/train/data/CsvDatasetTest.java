package dev.efficientnet.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvDatasetTest {
    @TempDir
    Path tmp;

    private Path setup() throws Exception {
        Path dir = tmp.resolve("data");
        ImageFixtures.png(dir.resolve("img/a.png"), 2, 2, 10, 10, 10);
        ImageFixtures.png(dir.resolve("img/b c.png"), 3, 2, 20, 20, 20);
        ImageFixtures.png(dir.resolve("c.png"), 2, 3, 30, 30, 30);
        ImageFixtures.png(tmp.resolve("outside.png"), 2, 2, 99, 99, 99);
        return dir;
    }

    @Test
    void integerLabelsWithHeaderAndQuotes() throws Exception {
        Path dir = setup();
        Path csv = Files.writeString(dir.resolve("list.csv"),
                "path,label\n# comment\nimg/a.png,2\n\n\"img/b c.png\", 0\n./img/../c.png,1\n");
        CsvDataset d = CsvDataset.open(csv);
        assertEquals(3, d.size());
        assertEquals(3, d.numClasses());
        assertEquals(List.of("0", "1", "2"), d.classes());
        assertEquals(2, d.get(0).label());
        assertEquals(0, d.get(1).label());
        assertEquals(3, d.get(1).width());
        assertEquals(dir.resolve("c.png").toAbsolutePath().normalize(), d.file(2));
        assertEquals(30 / 255f, d.get(2).pixels()[0], 1e-6f);
    }

    @Test
    void classNameLabelsSortedAndExplicitClassList() throws Exception {
        Path dir = setup();
        Path csv = Files.writeString(dir.resolve("names.csv"), "img/a.png,dog\nimg/b c.png,cat\nc.png,dog\n");
        CsvDataset d = CsvDataset.open(csv);
        assertEquals(List.of("cat", "dog"), d.classes());
        assertEquals(1, d.label(0));
        assertEquals(0, d.label(1));
        CsvDataset e = CsvDataset.open(csv, 1, List.of("dog", "cat", "bird"));
        assertEquals(0, e.label(0));
        assertEquals(3, e.numClasses());
        assertEquals(1, e.channels());
        assertEquals(4, e.get(0).pixels().length);
        Path unknown = Files.writeString(dir.resolve("unknown.csv"), "img/a.png,fish\n");
        DataException x = assertThrows(DataException.class, () -> CsvDataset.open(unknown, 3, List.of("dog", "cat")));
        assertTrue(x.getMessage().contains("line 1") && x.getMessage().contains("fish"), x.getMessage());
    }

    @Test
    void pathTraversalIsRejected() throws Exception {
        Path dir = setup();
        String outside = tmp.resolve("outside.png").toAbsolutePath().toString();
        for (String p : new String[]{"../outside.png", "img/../../outside.png", outside, "./..", ".", "img/../.."}) {
            Path csv = Files.writeString(dir.resolve("evil.csv"), "img/a.png,0\n" + p + ",1\n");
            DataException e = assertThrows(DataException.class, () -> CsvDataset.open(csv), p);
            assertTrue(e.getMessage().contains(csv.toString()) && e.getMessage().contains("line 2")
                    && e.getMessage().contains("escapes"), e.getMessage());
        }
        // an absolute path that stays inside the folder is fine
        Path ok = Files.writeString(dir.resolve("abs.csv"), dir.toAbsolutePath().resolve("c.png") + ",0\n");
        assertEquals(1, CsvDataset.open(ok).size());
    }

    @Test
    void malformedRowsAndMissingFilesNameTheLine() throws Exception {
        Path dir = setup();
        Path three = Files.writeString(dir.resolve("three.csv"), "img/a.png,0\nimg/a.png,1,extra\n");
        DataException e = assertThrows(DataException.class, () -> CsvDataset.open(three));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("2 fields"), e.getMessage());
        Path missing = Files.writeString(dir.resolve("missing.csv"), "img/none.png,0\n");
        e = assertThrows(DataException.class, () -> CsvDataset.open(missing));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains(missing.toString()), e.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.csv"), "path,label\n");
        e = assertThrows(DataException.class, () -> CsvDataset.open(empty));
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
        Path quote = Files.writeString(dir.resolve("quote.csv"), "\"img/a.png,0\n");
        e = assertThrows(DataException.class, () -> CsvDataset.open(quote));
        assertTrue(e.getMessage().contains("unterminated"), e.getMessage());
    }

    @Test
    void corruptImageInCsvNamesTheImage() throws Exception {
        Path dir = setup();
        Path bad = Files.write(dir.resolve("bad.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        CsvDataset d = CsvDataset.open(Files.writeString(dir.resolve("l.csv"), "bad.png,0\n"));
        DataException e = assertThrows(DataException.class, () -> d.get(0));
        assertTrue(e.getMessage().contains(bad.toAbsolutePath().normalize().toString()), e.getMessage());
    }
}
