package dev.efficientnet.bench;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.infer.InferencePlan;
import dev.efficientnet.models.infer.Precision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer-type profile of an {@link InferencePlan} (issue 13): every primitive timed separately
 * (a stream wait after each), summed per layer type (stem, depthwise, 1x1, 3x3, SE, head,
 * elementwise), with GFLOP/s and the share of the CPU's float32 peak.
 *
 * <p>Usage: {@code PlanProfile preset@resolution/batch [--precision fp32|bf16] [--warmup N]
 * [--iters N] [--peak-gflops G] [--ops K]}. The peak defaults to {@code cores × 64 × MHz} from
 * /proc/cpuinfo: 64 float32 FLOP per cycle and core is two 512-bit FMA pipes (16 lanes × 2 FLOP
 * × 2), right for Zen 4/5 and for Xeons with two AVX-512 FMA units. {@code --ops K} also prints
 * the K slowest single primitives; {@code --ops -1} only lists the primitives per implementation. The plain (unprofiled) call time is printed too: the
 * difference is the cost of the per-primitive waits.
 */
public final class PlanProfile {
    private PlanProfile() {
    }

    /** Runs the profile; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        ModelCase c = ModelCase.parse(args.length > 0 ? args[0] : "efficientnet_b0@224/1");
        Precision precision = Precision.FP32;
        int warmup = 5;
        int iters = 20;
        int top = 0;
        double peak = -1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--precision" -> precision = Precision.parse(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--peak-gflops" -> peak = Double.parseDouble(args[++i]);
                case "--ops" -> top = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double mhz = cpuMhz();
        if (peak < 0) peak = cores * 64 * mhz / 1000.0;

        EfficientNet model = MemoryScope.outside(() -> EfficientNet.create(c.spec(), 0));
        model.eval();
        Tensor input = MemoryScope.outside(() -> BenchData.uniform(1, c.batch(), c.spec().inChannels(), c.resolution(), c.resolution()));
        try (InferencePlan plan = InferencePlan.compile(model, c.batch(), c.resolution(), c.resolution(), precision)) {
            if (top < 0) {
                plan.opSummary().forEach((k, v) -> System.out.println(v + " x " + k));
                return;
            }
            for (int i = 0; i < warmup; i++) plan.run(input);
            long[] ns = new long[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                plan.run(input);
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            double plainMs = ns[iters / 2] / 1e6;
            List<InferencePlan.OpTime> ops = plan.profileOps(input, iters);
            Map<String, double[]> byType = new LinkedHashMap<>();
            for (String t : List.of("stem", "depthwise", "1x1", "3x3", "SE", "head", "elementwise")) byType.put(t, new double[3]);
            double totalMs = 0;
            long totalFlops = 0;
            for (InferencePlan.OpTime o : ops) {
                double[] a = byType.computeIfAbsent(o.type(), k -> new double[3]);
                a[0] += o.ms();
                a[1] += o.flops();
                a[2]++;
                totalMs += o.ms();
                totalFlops += o.flops();
            }
            System.out.printf("%s %s: plain call %.2f ms (median of %d), profiled sum %.2f ms, %d primitives, %.3f GFLOP%n",
                    args.length > 0 ? args[0] : "efficientnet_b0@224/1", precision, plainMs, iters, totalMs, ops.size(), totalFlops / 1e9);
            System.out.printf("peak %.0f GFLOP/s (%d cores x 64 FLOP/cycle x %.0f MHz unless --peak-gflops)%n", peak, cores, mhz);
            System.out.println("| layer type | ops | ms | % of time | GFLOP | GFLOP/s | % of peak |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            for (Map.Entry<String, double[]> e : byType.entrySet()) {
                double[] a = e.getValue();
                if (a[2] == 0) continue;
                double gfs = a[1] / 1e9 / (a[0] / 1e3);
                System.out.printf("| %s | %d | %.2f | %.1f | %.3f | %.1f | %.1f |%n", e.getKey(), (int) a[2], a[0], 100 * a[0] / totalMs,
                        a[1] / 1e9, gfs, 100 * gfs / peak);
            }
            System.out.printf("| total | %d | %.2f | 100 | %.3f | %.1f | %.1f |%n", ops.size(), totalMs, totalFlops / 1e9,
                    totalFlops / 1e9 / (totalMs / 1e3), 100 * totalFlops / 1e9 / (totalMs / 1e3) / peak);
            if (top > 0) {
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < ops.size(); i++) idx.add(i);
                idx.sort((a, b) -> Double.compare(ops.get(b).ms(), ops.get(a).ms()));
                System.out.println("| # | primitive | type | ms | MFLOP | GFLOP/s |");
                System.out.println("|---:|---|---|---:|---:|---:|");
                for (int k = 0; k < Math.min(top, idx.size()); k++) {
                    InferencePlan.OpTime o = ops.get(idx.get(k));
                    System.out.printf("| %d | %s | %s | %.3f | %.1f | %.1f |%n", idx.get(k), o.name(), o.type(), o.ms(), o.flops() / 1e6,
                            o.flops() / 1e9 / (o.ms() / 1e3));
                }
            }
        }
    }

    private static double cpuMhz() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")))
                if (line.startsWith("cpu MHz")) return Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        } catch (Exception e) {
            // fall through
        }
        return 2000;
    }
}
