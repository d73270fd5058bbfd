package dev.efficientnet.train.data;

/** A synthetic in-memory dataset: example i has pixels derived from i and label i % classes. */
final class MemoryDataset implements Dataset {
    private final int n, h, w, c, classes;
    private final int failAt;

    MemoryDataset(int n, int h, int w, int c, int classes) {
        this(n, h, w, c, classes, -1);
    }

    MemoryDataset(int n, int h, int w, int c, int classes, int failAt) {
        this.n = n;
        this.h = h;
        this.w = w;
        this.c = c;
        this.classes = classes;
        this.failAt = failAt;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public int channels() {
        return c;
    }

    @Override
    public Example get(int index) throws DataException {
        if (index == failAt) throw new DataException("memory-" + index + ".png", "simulated corrupt image");
        float[] p = new float[h * w * c];
        for (int i = 0; i < p.length; i++) p[i] = ((index * 31 + i * 7) % 256) / 255f;
        return new Example(p, h, w, c, index % classes);
    }

    @Override
    public String describe() {
        return "memory " + n;
    }
}
