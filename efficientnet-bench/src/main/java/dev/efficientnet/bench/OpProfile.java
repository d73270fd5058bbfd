package dev.efficientnet.bench;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.Backends;
import dev.efficientnet.core.backend.ConvGeometry;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.optim.Sgd;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-op profile of a training step: wraps the installed {@link Backend} in a timing proxy and
 * prints, per kind of backend call, the time and call count per step (median step over the timed
 * steps, and the sum over calls averaged per step). Calls a kernel makes to its own backend are
 * not counted twice (only the outermost call of each thread is timed).
 *
 * <p>Usage: {@code OpProfile preset@resolution/batch [warmup] [steps]}, e.g.
 * {@code efficientnet_b0@128/16 3 8}.
 */
public final class OpProfile {
    private OpProfile() {
    }

    /** Runs the profile; see the class comment for the arguments. */
    public static void main(String[] args) {
        ModelCase c = ModelCase.parse(args.length > 0 ? args[0] : "efficientnet_b0@128/16");
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Timing timing = new Timing(Backends.current());
        Backends.install((Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, timing));

        EfficientNet model = MemoryScope.outside(() -> EfficientNet.create(c.spec(), 0));
        model.train(true);
        Optimizer opt = MemoryScope.outside(() -> new Sgd(ParamGroups.of(model.namedParameters()), 0.01, 0.9, false, 0));
        Tensor input = BenchData.uniform(1, c.batch(), c.spec().inChannels(), c.resolution(), c.resolution());
        Rng rng = new Rng(2);
        int[] targets = new int[c.batch()];
        for (int i = 0; i < targets.length; i++) targets[i] = rng.nextInt(c.spec().numClasses());

        long[] stepNs = new long[steps];
        for (int it = 0; it < warmup + steps; it++) {
            if (it == warmup) timing.reset();
            long t0 = System.nanoTime();
            try (MemoryScope s = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(input), targets);
                loss.backward();
                opt.step();
                loss.item();
            }
            if (it >= warmup) stepNs[it - warmup] = System.nanoTime() - t0;
        }
        long[] sorted = stepNs.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2] / 1e6;
        double total = 0;
        for (long v : stepNs) total += v / 1e6;
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(timing.stats.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        System.out.printf("%s train step: median %.1f ms, mean %.1f ms over %d steps (%d warm-up)%n",
                args.length > 0 ? args[0] : "efficientnet_b0@128/16", median, total / steps, steps, warmup);
        System.out.println("| op | ms/step | calls/step | % of step |");
        System.out.println("|---|---:|---:|---:|");
        double inOps = 0;
        for (Map.Entry<String, long[]> e : rows) {
            double ms = e.getValue()[0] / 1e6 / steps;
            inOps += ms;
            System.out.printf("| %s | %.1f | %d | %.1f %% |%n", e.getKey(), ms, e.getValue()[1] / steps, 100 * ms / (total / steps));
        }
        System.out.printf("| (outside backend calls: Java graph, autograd, data) | %.1f | | %.1f %% |%n",
                total / steps - inOps, 100 * (total / steps - inOps) / (total / steps));
    }

    /** The timing proxy. */
    private static final class Timing implements InvocationHandler {
        private final Backend delegate;
        private final Map<String, long[]> stats = new HashMap<>();
        private final Thread mainThread = Thread.currentThread();
        private int depth;

        Timing(Backend delegate) {
            this.delegate = delegate;
        }

        void reset() {
            stats.clear();
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            if (Thread.currentThread() != mainThread) return call(m, args);
            boolean outer = depth == 0;
            long t0 = outer ? System.nanoTime() : 0;
            depth++;
            try {
                return call(m, args);
            } finally {
                depth--;
                if (outer) {
                    long dt = System.nanoTime() - t0;
                    long[] s = stats.computeIfAbsent(key(m, args), k -> new long[2]);
                    s[0] += dt;
                    s[1]++;
                }
            }
        }

        private Object call(Method m, Object[] args) throws Throwable {
            try {
                return m.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private static String key(Method m, Object[] args) {
            String name = m.getName();
            if (args == null) return name;
            StringBuilder sb = new StringBuilder(name);
            for (Object a : args) {
                if (a instanceof ConvGeometry g) sb.append(' ').append(g.kernelH()).append('x').append(g.kernelW())
                        .append(" s").append(g.strideH());
                else if (a instanceof Enum<?> e) sb.append(' ').append(e.name());
            }
            if (name.startsWith("conv2d") || name.startsWith("convBatch")) {
                Tensor x = (Tensor) args[0];
                Tensor w = (Tensor) args[1];
                if (w.rank() == 4 && w.dim(0) == 1 && w.dim(1) == 1 && x.dim(0) * x.dim(1) * x.dim(2) <= 64) sb.append(" (SE)");
            }
            if (name.equals("binary") || name.equals("multiplyReduce")) {
                int i = name.equals("binary") ? 1 : 0;
                Tensor a = (Tensor) args[i];
                Tensor b = (Tensor) args[i + 1];
                sb.append(a.numel() == b.numel() ? " same-shape" : " broadcast");
            }
            return sb.toString();
        }
    }
}
