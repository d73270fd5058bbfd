package dev.efficientnet.bench;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.inference.Classifier;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory over many inference calls (issue 13): either the plain user loop
 * {@code model.eval(); for (...) model.forward(x)} with no {@code MemoryScope} and no
 * {@code GradMode} ({@code plain}), or {@link Classifier#logits(Tensor)} ({@code classifier}).
 * Prints the process RSS (VmRSS) and the median milliseconds per call of each tenth of the run.
 *
 * <p>Usage: {@code RssSoak plain|classifier preset@resolution/batch [calls]}, e.g.
 * {@code RssSoak plain efficientnet_b0@224/1 10000}.
 */
public final class RssSoak {
    private RssSoak() {
    }

    /** Runs the soak; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "plain";
        ModelCase c = ModelCase.parse(args.length > 1 ? args[1] : "efficientnet_b0@224/1");
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        if (!mode.equals("plain") && !mode.equals("classifier")) throw new IllegalArgumentException("mode is plain or classifier, got " + mode);
        EfficientNet model = EfficientNet.create(c.spec(), 0);
        model.eval();
        Tensor x = MemoryScope.outside(() -> BenchData.uniform(1, c.batch(), c.spec().inChannels(), c.resolution(), c.resolution()));
        Classifier classifier = Classifier.of(model);
        int chunk = Math.max(1, calls / 10);
        long[] ns = new long[chunk];
        System.out.printf("%s %s, %d calls; rss at start %.0f MB%n", mode, args.length > 1 ? args[1] : "efficientnet_b0@224/1", calls, rssMb());
        System.out.println("| calls | RSS MB | median ms/call (this tenth) |");
        System.out.println("|---:|---:|---:|");
        float sink = 0;
        for (int done = 0; done < calls; ) {
            int k = Math.min(chunk, calls - done);
            for (int i = 0; i < k; i++) {
                long t0 = System.nanoTime();
                if (mode.equals("plain")) {
                    Tensor y = model.forward(x);
                    sink += y.toFloatArray()[0];
                } else {
                    sink += classifier.logits(x)[0][0];
                }
                ns[i] = System.nanoTime() - t0;
            }
            done += k;
            java.util.Arrays.sort(ns, 0, k);
            System.out.printf("| %d | %.0f | %.2f |%n", done, rssMb(), ns[k / 2] / 1e6);
        }
        System.out.println("(checksum " + sink + ")");
    }

    static double rssMb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        return -1;
    }
}
