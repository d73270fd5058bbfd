package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.CliException;
import dev.efficientnet.models.spec.BlockSpec;
import dev.efficientnet.models.spec.BlockType;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Padding;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The memory a command needs, estimated from the model spec before anything is built, against the
 * memory the process has. Tensors live off the Java heap (ND4J buffers, limited by JavaCPP's
 * {@code org.bytedeco.javacpp.maxphysicalbytes} on the process's resident memory, by default 4 x
 * the heap limit, and by the free physical memory); decoded images and data batches live on the heap.
 *
 * <p>The estimate is a <em>lower bound</em>: the weights (plus gradients, optimizer slots and the EMA
 * copy in training), and the activations that must exist at once — in training every layer output
 * kept for backward (conv, BN and activation outputs; with activation checkpointing the stage
 * outputs plus the largest stage), in inference the largest input + output pair of one layer. So a
 * refusal is always right: the command could not have finished. All arithmetic is in {@code double},
 * so absurd sizes cannot overflow.
 */
public final class MemoryBudget {
    /** Bytes per float element. */
    private static final double F32 = 4;
    private static final double GB = 1e9;

    private MemoryBudget() {
    }

    /** What a command needs: off-heap bytes (tensors) and heap bytes (images, batches), with a breakdown. */
    public record Need(double offHeapBytes, double heapBytes, String detail, double largestTensor, int batch, int size) {
    }

    /** What the process has. */
    public record Available(double offHeapBytes, double heapBytes, String offHeapLimit) {
    }

    /**
     * Activation element counts of one image: {@code [kept for training, checkpointed training,
     * inference peak, largest single tensor]}.
     */
    static double[] activationsPerImage(ModelSpec spec, int height, int width) {
        Padding pad = spec.padding();
        int h = pad.outputSize(height, ModelSpec.STEM_KERNEL, ModelSpec.STEM_STRIDE);
        int w = pad.outputSize(width, ModelSpec.STEM_KERNEL, ModelSpec.STEM_STRIDE);
        double input = (double) spec.inChannels() * height * width;
        double stem = (double) spec.stemChannels() * h * w;
        double kept = input + 3 * stem;
        double peak = input + stem;
        double largest = Math.max(input, stem);
        double stageOutputs = input + stem;
        double largestStage = 3 * stem;
        double stageSum = 0;
        int stage = -1;
        List<BlockSpec> blocks = spec.blocks();
        double lastOut = stem;
        for (BlockSpec b : blocks) {
            if (b.stageIndex() != stage) {
                if (stage >= 0) {
                    largestStage = Math.max(largestStage, stageSum);
                    stageOutputs += lastOut;
                }
                stage = b.stageIndex();
                stageSum = 0;
            }
            int oh = b.outputSize(h, pad);
            int ow = b.outputSize(w, pad);
            double in = (double) b.inChannels() * h * w;
            double mid = b.midChannels();
            double out = (double) b.outChannels() * oh * ow;
            double s;
            if (b.type() == BlockType.MBCONV) {
                double expanded = b.hasExpandConv() ? mid * h * w : 0;
                double dw = mid * oh * ow;
                s = 3 * expanded + 3 * dw + 2 * out;
                peak = Math.max(peak, Math.max(in + Math.max(expanded, dw), Math.max(expanded + dw, dw + out)));
            } else if (b.hasExpandConv()) {
                double e = mid * oh * ow;
                s = 3 * e + 2 * out;
                peak = Math.max(peak, Math.max(in + e, e + out));
            } else {
                s = 3 * out;
                peak = Math.max(peak, in + out);
            }
            if (b.hasResidual()) s += out;
            largest = Math.max(largest, Math.max(in, Math.max(out, mid * Math.max((double) h * w, (double) oh * ow))));
            kept += s;
            stageSum += s;
            lastOut = out;
            h = oh;
            w = ow;
        }
        largestStage = Math.max(largestStage, stageSum);
        stageOutputs += lastOut;
        double head = (double) spec.headChannels() * h * w;
        kept += 3 * head + 2.0 * spec.numClasses();
        peak = Math.max(peak, lastOut + head);
        double checkpointed = stageOutputs + largestStage + 3 * head + 2.0 * spec.numClasses();
        largest = Math.max(largest, Math.max(head, spec.numClasses()));
        return new double[]{kept, Math.min(kept, checkpointed), peak, largest};
    }

    /**
     * Training {@code spec} with batches of {@code batch} images of {@code size}² px: weights,
     * gradients, {@code optimizerSlots} optimizer tensors per weight and an EMA copy, plus the kept
     * activations; on the heap, {@code queuedBatches} data batches.
     */
    public static Need training(ModelSpec spec, int batch, int size, int optimizerSlots, boolean ema,
                                boolean checkpointActivations, int queuedBatches) {
        double params = spec.params();
        double copies = 2 + optimizerSlots + (ema ? 1 : 0);
        double weights = params * copies * F32;
        double[] a = activationsPerImage(spec, size, size);
        double acts = (checkpointActivations ? a[1] : a[0]) * batch * F32;
        double heap = (double) queuedBatches * batch * spec.inChannels() * size * size * F32;
        return new Need(weights + acts, heap, String.format(Locale.ROOT,
                "weights, gradients and optimizer state %s + activations %s for a batch of %d at %dpx",
                gb(weights), gb(acts), batch, size), a[3] * batch, batch, size);
    }

    /** Inference of {@code spec} on batches of {@code batch} images of {@code size}² px. */
    public static Need inference(ModelSpec spec, int batch, int size) {
        double weights = spec.params() * F32;
        double[] a = activationsPerImage(spec, size, size);
        double acts = a[2] * batch * F32;
        double heap = (double) batch * spec.inChannels() * size * size * F32;
        return new Need(weights + acts, heap, String.format(Locale.ROOT,
                "weights %s + activations %s for a batch of %d at %dpx", gb(weights), gb(acts), batch, size), a[3] * batch, batch, size);
    }

    /** Largest number of elements one tensor (a Java array, an int-indexed buffer) can hold. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static void requireIndexable(double n, int batch, int size) {
        if (n > MAX_ELEMENTS)
            throw CliException.usage(String.format(Locale.ROOT, "a batch of %d at %dpx needs a single tensor of %.4g elements,"
                    + " more than the %,d one buffer can index; use a smaller --batch or resolution", batch, size, n, MAX_ELEMENTS));
    }

    /** What this process has now. */
    public static Available available() {
        Runtime rt = Runtime.getRuntime();
        double heap = rt.maxMemory() - (double) (rt.totalMemory() - rt.freeMemory());
        double physical = physicalAvailable();
        double offHeap = physical;
        String limit = gb(physical) + " of physical memory free";
        try {
            // ND4J's buffers count against JavaCPP's physical-memory limit (the process RSS), by default 4 x -Xmx
            long max = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
            if (max > 0) {
                double left = max - rss();
                if (left < offHeap) {
                    offHeap = left;
                    limit = "process memory limit " + gb(max) + " (-Dorg.bytedeco.javacpp.maxphysicalbytes, default 4 x the heap limit -Xmx)"
                            + " minus " + gb(rss()) + " in use";
                }
            }
        } catch (LinkageError e) {
            // JavaCPP not usable: physical memory only
        }
        return new Available(Math.max(0, offHeap), Math.max(0, heap), limit);
    }

    /** This process's resident memory (VmRSS), 0 where unknown. */
    static double rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return 0;
    }

    /** Free physical memory: MemAvailable of /proc/meminfo, else the OS's free memory (both container-aware where the OS is). */
    static double physicalAvailable() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                for (String line : Files.readAllLines(meminfo)) {
                    if (line.startsWith("MemAvailable:")) {
                        double kb = Double.parseDouble(line.replaceAll("[^0-9]", ""));
                        return Math.min(kb * 1024, osTotal());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // fall back
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getFreeMemorySize();
        return Double.POSITIVE_INFINITY;
    }

    private static double osTotal() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getTotalMemorySize();
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Throws a usage error if {@code need} cannot fit into {@code available}: "COMMAND needs at least
     * X GB off-heap (breakdown), Y GB available (limit)"; {@code hint} names what to reduce.
     */
    public static void require(String what, Need need, Available available, String hint) {
        if (need.offHeapBytes() > available.offHeapBytes())
            throw CliException.usage(String.format(Locale.ROOT, "%s needs at least %s of memory for tensors (%s), %s available (%s); %s",
                    what, gb(need.offHeapBytes()), need.detail(), gb(available.offHeapBytes()), available.offHeapLimit(), hint));
        if (need.heapBytes() > available.heapBytes())
            throw CliException.usage(String.format(Locale.ROOT, "%s needs at least %s of Java heap for its data batches, %s available (-Xmx); %s",
                    what, gb(need.heapBytes()), gb(available.heapBytes()), hint));
        requireIndexable(need.largestTensor(), need.batch(), need.size());
    }

    /** {@link #require} against {@link #available()}. */
    public static void require(String what, Need need, String hint) {
        require(what, need, available(), hint);
    }

    /** {@code bytes} as "12.3 GB" (or "1.2e+06 GB" for absurd sizes). */
    public static String gb(double bytes) {
        double g = bytes / GB;
        if (g >= 1e6) return String.format(Locale.ROOT, "%.3g GB", g);
        if (g >= 10) return String.format(Locale.ROOT, "%.0f GB", g);
        if (g >= 0.1) return String.format(Locale.ROOT, "%.1f GB", g);
        return String.format(Locale.ROOT, "%.3f GB", g);
    }
}
