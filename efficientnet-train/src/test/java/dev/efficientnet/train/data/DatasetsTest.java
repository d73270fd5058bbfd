package dev.efficientnet.train.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatasetsTest {
    @Test
    void toRgbReplicatesAndToGrayTakesLuma() throws Exception {
        Dataset gray = new MemoryDataset(4, 3, 2, 1, 2);
        Dataset rgb = Datasets.toRgb(gray);
        assertEquals(3, rgb.channels());
        Example g = gray.get(1), r = rgb.get(1);
        assertEquals(18, r.pixels().length);
        for (int i = 0; i < 6; i++) {
            assertEquals(g.pixels()[i], r.pixels()[3 * i]);
            assertEquals(g.pixels()[i], r.pixels()[3 * i + 1]);
            assertEquals(g.pixels()[i], r.pixels()[3 * i + 2]);
        }
        assertSame(rgb, Datasets.toRgb(rgb));
        Dataset back = Datasets.toGray(rgb);
        assertEquals(1, back.channels());
        float[] b = back.get(1).pixels();
        for (int i = 0; i < 6; i++) assertEquals(g.pixels()[i], b[i], 1e-6f);
        assertSame(gray, Datasets.toGray(gray));
    }

    @Test
    void subsetAndSplit() throws Exception {
        Dataset d = new MemoryDataset(10, 2, 2, 1, 3);
        Dataset s = Datasets.subset(d, new int[]{7, 2});
        assertEquals(2, s.size());
        assertArrayEquals(d.get(7).pixels(), s.get(0).pixels());
        assertThrows(IllegalArgumentException.class, () -> Datasets.subset(d, new int[]{10}));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(2));
        Dataset[] parts = Datasets.split(d, 0.3, 5);
        assertEquals(7, parts[0].size());
        assertEquals(3, parts[1].size());
        Set<Integer> seen = new HashSet<>();
        for (Dataset p : parts) for (int i = 0; i < p.size(); i++) seen.add(p.get(i).label() * 1000 + Math.round(p.get(i).pixels()[0] * 255));
        assertEquals(10, seen.size());
        Dataset[] again = Datasets.split(d, 0.3, 5);
        assertArrayEquals(parts[1].get(0).pixels(), again[1].get(0).pixels());
        assertEquals(3, Datasets.head(d, 3).size());
    }
}
