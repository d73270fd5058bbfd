package dev.efficientnet.cli;

import org.bytedeco.javacpp.Pointer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how much memory a piece of work takes: the peak resident set size of the process (sampled
 * every few milliseconds through JavaCPP, which reads {@code /proc/self/statm} on Linux) above its
 * level before the work, after a garbage collection (tensors' native memory is released by the
 * collector). Used by {@code compare --measure} to choose a training batch that fits before trying
 * it: a batch that does not fit can take the whole machine down (the kernel's out-of-memory killer)
 * instead of throwing {@link OutOfMemoryError}.
 */
final class MemoryProbe {
    private MemoryProbe() {
    }

    /** Bytes the system can still give (MemAvailable on Linux), or -1 when unknown. */
    static long availableBytes() {
        try {
            long a = Pointer.availablePhysicalBytes();
            return a > 0 ? a : -1;
        } catch (Throwable t) {   // no native JavaCPP on this platform
            return -1;
        }
    }

    /** Resident set size of this process, or -1 when unknown. */
    static long residentBytes() {
        try {
            long r = Pointer.physicalBytes();
            return r > 0 ? r : -1;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** Collects garbage so released tensors give their native memory back. */
    static void settle() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Runs {@code work} and returns the peak resident size above the level before it, or -1 when unknown. */
    static long peakGrowth(Runnable work) {
        settle();
        long base = residentBytes();
        if (base < 0) {
            work.run();
            return -1;
        }
        AtomicLong peak = new AtomicLong(base);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long r = residentBytes();
                if (r > peak.get()) peak.set(r);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-probe");
        sampler.setDaemon(true);
        sampler.start();
        try {
            work.run();
        } finally {
            sampler.interrupt();
            try {
                sampler.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long end = residentBytes();
        if (end > peak.get()) peak.set(end);
        return Math.max(0, peak.get() - base);
    }
}
