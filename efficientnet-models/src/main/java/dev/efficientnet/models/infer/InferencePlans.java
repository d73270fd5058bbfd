package dev.efficientnet.models.infer;

import dev.efficientnet.core.backend.cpu.NativeBuffers;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Module;
import dev.efficientnet.models.EfficientNet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled {@link InferencePlan}s of one model, per input shape and precision (decision D25):
 * built on first use, reused while the weights stay the same, rebuilt when they change.
 *
 * <p>Bounds: at most {@value #MAX_SHAPES} shapes (least recently used evicted, its plans closed)
 * and, per shape, at most one plan per CPU (at most 4) in use at once; further threads wait for a
 * free plan. Weight changes are noticed through the {@linkplain #weightVersion weight version}, a
 * sum of every parameter's and buffer's write counter plus the batch norms' epsilons, checked on
 * every call (a few microseconds).
 *
 * <p>Disable with {@code -Defficientnet.plan=false} (every call then runs the eager model).
 */
public final class InferencePlans {
    private static final Logger LOG = LoggerFactory.getLogger(InferencePlans.class);
    /** Most input shapes kept compiled per model. */
    public static final int MAX_SHAPES = 4;
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("efficientnet.plan", "true"));
    private static volatile Boolean available;

    private final EfficientNet model;
    private final List<Tensor> state;
    private final List<BatchNorm2d> norms;
    private final int maxPerShape;
    private final LinkedHashMap<Key, Pool> pools = new LinkedHashMap<>(16, 0.75f, true);
    private long version = Long.MIN_VALUE;
    private volatile String unsupported;
    private long compiled;

    /**
     * The plan cache of {@code model} (whose module structure must not change afterwards).
     *
     * @param model the model
     */
    public InferencePlans(EfficientNet model) {
        this.model = model;
        this.state = new ArrayList<>(model.stateDict().values());
        this.norms = new ArrayList<>();
        collectNorms(model, norms);
        this.maxPerShape = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    private static void collectNorms(Module m, List<BatchNorm2d> out) {
        if (m instanceof BatchNorm2d bn) out.add(bn);
        for (Module c : m.children().values()) collectNorms(c, out);
    }

    /**
     * The weight version of {@code model}: changes whenever a parameter or buffer is written through
     * the backend (state-dict loads, {@code Tensor.assign}, optimizer steps, running-statistics
     * updates) or a batch norm's epsilon changes.
     *
     * @param model the model
     * @return the weight version of {@code model}: changes whenever a parameter or buffer is written through the backend (state-dict loads, {@code Tensor.assign}, optimizer steps, running-statistics updates) or a batch norm's epsilon changes
     */
    public static long weightVersion(EfficientNet model) {
        List<BatchNorm2d> norms = new ArrayList<>();
        collectNorms(model, norms);
        return version(model.stateDict().values(), norms);
    }

    private static long version(Iterable<Tensor> tensors, List<BatchNorm2d> norms) {
        long v = 0;
        for (Tensor t : tensors) v += t.storage().version();
        for (BatchNorm2d bn : norms) v = v * 31 + Double.hashCode(bn.eps());
        return v;
    }

    /** {@return the current weight version (see {@link #weightVersion(EfficientNet)})} */
    public long weightVersion() {
        return version(state, norms);
    }

    /** {@return true when plans can run here: enabled, oneDNN loaded, and the model compiled once without an unsupported layer} */
    public boolean usable() {
        if (!ENABLED || unsupported != null) return false;
        Boolean a = available;
        if (a == null) available = a = InferencePlan.available();
        return a;
    }

    /** {@return why this model cannot be planned, or null} */
    public String unsupportedReason() {
        return unsupported;
    }

    /** {@return the number of plans compiled} */
    public synchronized long compiledCount() {
        return compiled;
    }

    /**
     * Logits ({@code features = false}) or pooled features of an NCHW batch, row-major, or null
     * when the model cannot be planned (the caller then runs the eager model).
     *
     * @param nchw the batch in NCHW layout
     * @param features whether to return the pooled features
     * @param precision the arithmetic precision
     * @return logits ({@code features = false}) or pooled features of an NCHW batch, row-major, or null when the model cannot be planned (the caller then runs the eager model)
     */
    public float[] run(Tensor nchw, boolean features, Precision precision) {
        if (!NativeBuffers.isNative(nchw)) return null;
        int[] s = nchw.shape();
        return execute(s[0], s[2], s[3], precision, features, plan -> plan.run(nchw));
    }

    /**
     * As {@link #run(Tensor, boolean, Precision)} for a flat NCHW array.
     *
     * @param nchw the values in NCHW layout
     * @param batch the batch size
     * @param height the height in pixels
     * @param width the width in pixels
     * @param features whether to return the pooled features
     * @param precision the arithmetic precision
     * @return as the {@link #run(Tensor, boolean, Precision)} overload returns
     */
    public float[] run(float[] nchw, int batch, int height, int width, boolean features, Precision precision) {
        return execute(batch, height, width, precision, features, plan -> plan.run(nchw));
    }

    /**
     * The eval forward pass as a tensor: logits {@code [N, classes]} (pooled features when the model
     * has no classifier, or with {@code features}), float32, no graph; null when not plannable.
     *
     * @param nchw the batch in NCHW layout
     * @param features whether to return the pooled features
     * @return the eval forward pass as a tensor: logits {@code [N, classes]} (pooled features when the model has no classifier, or with {@code features}), float32, no graph; null when not plannable
     */
    public Tensor forward(Tensor nchw, boolean features) {
        boolean feats = features || model.head().classifier() == null;
        float[] out = run(nchw, feats, Precision.FP32);
        if (out == null) return null;
        int n = nchw.dim(0);
        return Tensor.of(out, n, out.length / n);
    }

    private float[] execute(int batch, int height, int width, Precision precision, boolean features,
                            java.util.function.Consumer<InferencePlan> runner) {
        if (!usable()) return null;
        Key key = new Key(batch, height, width, precision);
        Lease lease;
        try {
            lease = acquire(key);
        } catch (UnsupportedOperationException e) {
            unsupported = e.getMessage();
            LOG.info("{}: no compiled inference plan ({}); using the eager model", model.spec().name(), e.getMessage());
            return null;
        }
        try {
            runner.accept(lease.plan);
            return features ? lease.plan.features() : lease.plan.logits();
        } finally {
            release(lease);
        }
    }

    private record Key(int batch, int height, int width, Precision precision) {
    }

    private static final class Pool {
        final ArrayDeque<InferencePlan> idle = new ArrayDeque<>();
        int count;
    }

    private record Lease(Pool pool, InferencePlan plan) {
    }

    private Lease acquire(Key key) {
        long v = weightVersion();
        Pool pool;
        synchronized (this) {
            if (v != version) {
                version = v;
                for (Pool p : pools.values()) closeIdle(p);
                pools.clear();
            }
            pool = pools.get(key);
            if (pool == null) {
                pool = new Pool();
                pools.put(key, pool);
                evict();
            }
            while (true) {
                InferencePlan p = pool.idle.pollFirst();
                if (p != null) return new Lease(pool, p);
                if (pool.count < maxPerShape) {
                    pool.count++;
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for an inference plan", e);
                }
            }
        }
        try {
            long t0 = System.nanoTime();
            InferencePlan plan = InferencePlan.compile(model, key.batch(), key.height(), key.width(), key.precision());
            synchronized (this) {
                compiled++;
            }
            LOG.debug("{}: compiled {} in {} ms", model.spec().name(), plan, (System.nanoTime() - t0) / 1_000_000);
            return new Lease(pool, plan);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                pool.count--;
                notifyAll();
            }
            throw e;
        }
    }

    private synchronized void release(Lease lease) {
        Pool pool = lease.pool();
        boolean current = pools.containsValue(pool);
        if (current && lease.plan().weightVersion() == version) {
            pool.idle.addFirst(lease.plan());
        } else {
            lease.plan().close();
            pool.count--;
        }
        notifyAll();
    }

    private void evict() {
        Iterator<Map.Entry<Key, Pool>> it = pools.entrySet().iterator();
        while (pools.size() > MAX_SHAPES && it.hasNext()) {
            Map.Entry<Key, Pool> e = it.next();
            closeIdle(e.getValue());
            it.remove();
        }
    }

    private static void closeIdle(Pool p) {
        for (InferencePlan plan : p.idle) {
            plan.close();
            p.count--;
        }
        p.idle.clear();
    }

    /** Closes every idle plan (plans in use close when they are returned). */
    public synchronized void clear() {
        for (Pool p : pools.values()) closeIdle(p);
        pools.clear();
    }
}
