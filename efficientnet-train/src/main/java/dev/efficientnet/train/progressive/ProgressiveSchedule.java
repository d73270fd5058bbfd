package dev.efficientnet.train.progressive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Progressive learning (EfficientNetV2, Algorithm 1): training is split into M stages of (almost)
 * equal length; stage i trains at its own image size with its own regularization (dropout,
 * RandAugment magnitude, mixup α). Stage i covers epochs {@code [floor(i·E/M), floor((i+1)·E/M))}
 * of an E-epoch run.
 *
 * <p>Presets:
 * <ul>
 *   <li>{@link #paper(ModelSize, int)} — the paper (Table 6): every quantity interpolated linearly
 *       from its minimum (first stage) to its maximum (last stage), {@code v_i = min + (max − min)·i/(M−1)},
 *       sizes rounded to the nearest pixel. S: 128→300, RandAugment 5→15, mixup 0→0, dropout 0.1→0.3;
 *       M: 128→380, 5→20, 0→0.2, 0.1→0.4; L: 128→380, 5→25, 0→0.4, 0.1→0.5.</li>
 *   <li>{@link #automl(ModelSize)} — what the official code (google/automl {@code efficientnetv2/main.py})
 *       does: 4 stages, {@code ratio = (i+1)/4}, {@code size = int(128 + (train − 128)·ratio)},
 *       RandAugment {@code linspace(5, ram, 4)[i]}, mixup {@code linspace(0, α, 4)[i]}, and the
 *       dropout <em>not</em> ramped (the official code computes it, then drops it): the preset's
 *       fixed rate in every stage.</li>
 *   <li>Scaled variants of both for small images ({@link #paper(ModelSize, int, int, int)},
 *       {@link #automl(ModelSize, int, int, int)}), {@link #linear custom} ramps, explicit stage
 *       lists ({@link #of}) and {@link #none} (one stage, fixed settings).</li>
 * </ul>
 */
public final class ProgressiveSchedule {
    private final String name;
    private final List<Stage> stages;

    private ProgressiveSchedule(String name, List<Stage> stages) {
        Objects.requireNonNull(name, "name");
        if (stages == null || stages.isEmpty()) throw new IllegalArgumentException("a schedule needs at least one stage");
        for (int i = 0; i < stages.size(); i++)
            if (stages.get(i).index() != i)
                throw new IllegalArgumentException("stage " + i + " has index " + stages.get(i).index());
        this.name = name;
        this.stages = Collections.unmodifiableList(new ArrayList<>(stages));
    }

    /** A schedule from explicit stages (indices must be 0, 1, 2, ...). */
    public static ProgressiveSchedule of(String name, List<Stage> stages) {
        return new ProgressiveSchedule(name, stages);
    }

    /** No progressive learning: one stage at a fixed size and regularization. */
    public static ProgressiveSchedule none(int imageSize, double dropout, double randAugMagnitude, double mixupAlpha) {
        return new ProgressiveSchedule("none", List.of(new Stage(0, imageSize, dropout, randAugMagnitude, mixupAlpha, 0)));
    }

    /**
     * A custom schedule of {@code m} stages, every quantity interpolated linearly from its min (stage 0)
     * to its max (stage m−1), as in the paper; sizes rounded to the nearest pixel. With m = 1 the
     * single stage uses the maxima.
     */
    public static ProgressiveSchedule linear(String name, int m, Range size, Range dropout, Range randAug, Range mixup) {
        if (m < 1) throw new IllegalArgumentException("number of stages must be >= 1, got " + m);
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            double f = m == 1 ? 1.0 : (double) i / (m - 1);
            list.add(new Stage(i, (int) Math.round(size.at(f)), clean(dropout.at(f)), clean(randAug.at(f)), clean(mixup.at(f)), 0));
        }
        return new ProgressiveSchedule(name, list);
    }

    /** The paper's ranges (Table 6) for a size class: 128→300 or 128→380 and the regularization row. */
    public static ProgressiveSchedule paper(ModelSize size, int m) {
        return paper(size, m, 128, size == ModelSize.S ? 300 : 380);
    }

    /**
     * The paper's regularization ramps for a size class with the image sizes scaled to
     * {@code minSize → maxSize} (e.g. 16→28 for Fashion-MNIST).
     */
    public static ProgressiveSchedule paper(ModelSize size, int m, int minSize, int maxSize) {
        checkSizes(minSize, maxSize);
        Range sizes = new Range(minSize, maxSize);
        return switch (size) {
            case S -> linear("paper-S", m, sizes, new Range(0.1, 0.3), new Range(5, 15), new Range(0, 0));
            case M -> linear("paper-M", m, sizes, new Range(0.1, 0.4), new Range(5, 20), new Range(0, 0.2));
            case L -> linear("paper-L", m, sizes, new Range(0.1, 0.5), new Range(5, 25), new Range(0, 0.4));
        };
    }

    /** The official code's schedule for a size class (4 stages from ibase 128 to the model's train size). */
    public static ProgressiveSchedule automl(ModelSize size) {
        return automl(size, 4, 128, size == ModelSize.S ? 300 : 384);
    }

    /**
     * The official code's formulas with {@code stages} stages, base size {@code ibase} and final size
     * {@code trainSize}: {@code ratio = (i+1)/stages}, {@code size = int(ibase + (trainSize − ibase)·ratio)},
     * RandAugment {@code linspace(5, ram, stages)[i]}, mixup {@code linspace(0, α, stages)[i]}, dropout
     * fixed at the model's rate. Per-model values (S/M/L): train size 300/384/384, ram 10/15/20,
     * mixup α 0/0.2/0.5, dropout 0.2/0.3/0.4.
     */
    public static ProgressiveSchedule automl(ModelSize size, int stages, int ibase, int trainSize) {
        if (stages < 1) throw new IllegalArgumentException("number of stages must be >= 1, got " + stages);
        checkSizes(ibase, trainSize);
        double ram = switch (size) { case S -> 10; case M -> 15; case L -> 20; };
        double alpha = switch (size) { case S -> 0; case M -> 0.2; case L -> 0.5; };
        double dropout = switch (size) { case S -> 0.2; case M -> 0.3; case L -> 0.4; };
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            double ratio = (i + 1) / (double) stages;
            int imageSize = (int) (ibase + (trainSize - ibase) * ratio);
            list.add(new Stage(i, imageSize, dropout, clean(linspace(5, ram, stages, i)), clean(linspace(0, alpha, stages, i)), 0));
        }
        return new ProgressiveSchedule("automl-" + size, list);
    }

    /** numpy's {@code linspace(start, stop, n)[i]}. */
    static double linspace(double start, double stop, int n, int i) {
        if (n == 1) return start;
        if (i == n - 1) return stop;
        return start + (stop - start) / (n - 1) * i;
    }

    private static double clean(double v) {
        // remove the 1e-17 noise of interpolation so 0.30000000000000004 prints as 0.3
        return Math.round(v * 1e12) / 1e12;
    }

    private static void checkSizes(int minSize, int maxSize) {
        if (minSize < 1 || maxSize < minSize)
            throw new IllegalArgumentException("image sizes must satisfy 1 <= min <= max, got " + minSize + " -> " + maxSize);
    }

    /** This schedule with per-stage batch sizes (one per stage; 0 = the run's default). */
    public ProgressiveSchedule withBatchSizes(int... batchSizes) {
        if (batchSizes.length != stages.size())
            throw new IllegalArgumentException("need " + stages.size() + " batch sizes, got " + batchSizes.length);
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) list.add(stages.get(i).withBatchSize(batchSizes[i]));
        return new ProgressiveSchedule(name, list);
    }

    /** This schedule with every stage's dropout replaced by {@code rate}. */
    public ProgressiveSchedule withFixedDropout(double rate) {
        List<Stage> list = new ArrayList<>();
        for (Stage s : stages) list.add(new Stage(s.index(), s.imageSize(), rate, s.randAugMagnitude(), s.mixupAlpha(), s.batchSize()));
        return new ProgressiveSchedule(name, list);
    }

    /** The preset or custom name. */
    public String name() {
        return name;
    }

    /** The stages in order. */
    public List<Stage> stages() {
        return stages;
    }

    /** Number of stages. */
    public int stageCount() {
        return stages.size();
    }

    /** The last stage (the final image size). */
    public Stage last() {
        return stages.get(stages.size() - 1);
    }

    /** The first epoch of stage {@code i} in a run of {@code totalEpochs}. */
    public int firstEpoch(int i, int totalEpochs) {
        if (totalEpochs < 1) throw new IllegalArgumentException("totalEpochs must be >= 1, got " + totalEpochs);
        return (int) ((long) i * totalEpochs / stages.size());
    }

    /** The stage index of {@code epoch} (0-based) in a run of {@code totalEpochs}. */
    public int stageIndex(int epoch, int totalEpochs) {
        if (epoch < 0 || epoch >= totalEpochs)
            throw new IllegalArgumentException("epoch must be in [0, " + totalEpochs + "), got " + epoch);
        int s = 0;
        while (s + 1 < stages.size() && firstEpoch(s + 1, totalEpochs) <= epoch) s++;
        return s;
    }

    /** The stage of {@code epoch} (0-based) in a run of {@code totalEpochs}. */
    public Stage forEpoch(int epoch, int totalEpochs) {
        return stages.get(stageIndex(epoch, totalEpochs));
    }

    /** A multi-line table of the stages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "progressive schedule %s, %d stage(s)%n", name, stages.size()));
        sb.append(String.format(Locale.ROOT, "%5s %6s %8s %8s %7s %6s%n", "stage", "size", "dropout", "randaug", "mixup", "batch"));
        for (Stage s : stages)
            sb.append(String.format(Locale.ROOT, "%5d %6d %8.3f %8.2f %7.3f %6s%n", s.index(), s.imageSize(), s.dropout(),
                    s.randAugMagnitude(), s.mixupAlpha(), s.batchSize() == 0 ? "-" : Integer.toString(s.batchSize())));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgressiveSchedule p && p.name.equals(name) && p.stages.equals(stages);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + stages.hashCode();
    }

    @Override
    public String toString() {
        return "ProgressiveSchedule[" + name + ", " + stages + "]";
    }
}
