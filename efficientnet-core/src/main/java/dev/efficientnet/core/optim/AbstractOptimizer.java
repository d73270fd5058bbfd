package dev.efficientnet.core.optim;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shared machinery of the optimizers: the parameter list, the learning rate, the step counter,
 * persistent per-parameter buffers (allocated once at construction, outside any memory scope) and
 * their export/import. Subclasses implement {@link #update} with {@link Backend} kernels; every
 * update runs inside its own short {@link MemoryScope}, so scratch tensors come from the backend pool
 * and the steady state allocates nothing.
 */
public abstract class AbstractOptimizer implements Optimizer {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractOptimizer.class);

    private final String type;
    private final List<Parameter> params;
    private final String[] bufferNames;
    private final Tensor[][] buffers;
    private final long[] paramSteps;
    private final double weightDecay;
    private double lr;
    private long steps;

    /**
     * An optimizer over {@code params} with its per-parameter state.
     *
     * @param type         optimizer kind stored in the exported state
     * @param params       the parameters (unique names, distinct tensors)
     * @param lr           initial learning rate
     * @param weightDecay  weight decay for parameters with {@link Parameter#weightDecay()} set
     * @param bufferNames  names of the per-parameter state buffers
     * @param bufferInits  the initial value of each buffer
     */
    protected AbstractOptimizer(String type, List<Parameter> params, double lr, double weightDecay,
                                String[] bufferNames, double[] bufferInits) {
        this.type = type;
        Objects.requireNonNull(params, "params");
        if (bufferNames.length != bufferInits.length)
            throw new IllegalArgumentException("bufferNames and bufferInits differ in length");
        checkNonNegative("weightDecay", weightDecay);
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        Set<String> names = new HashSet<>();
        Map<Tensor, String> seen = new IdentityHashMap<>();
        for (Parameter p : this.params) {
            Objects.requireNonNull(p, "params contains null");
            if (!names.add(p.name())) throw new IllegalArgumentException("duplicate parameter name '" + p.name() + "'");
            String other = seen.put(p.value(), p.name());
            if (other != null)
                throw new IllegalArgumentException("parameters '" + other + "' and '" + p.name() + "' are the same tensor");
        }
        this.bufferNames = bufferNames.clone();
        this.buffers = new Tensor[this.params.size()][bufferNames.length];
        MemoryScope.outside(() -> {
            for (int i = 0; i < buffers.length; i++) {
                Tensor v = this.params.get(i).value();
                for (int b = 0; b < bufferNames.length; b++)
                    buffers[i][b] = Tensor.full(v.dtype(), bufferInits[b], v.shape());
            }
            return null;
        });
        this.paramSteps = new long[this.params.size()];
        this.weightDecay = weightDecay;
        setLearningRate(lr);
    }

    static void checkNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }

    static void checkFraction(String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
    }

    // ---- the update ------------------------------------------------------------------------------

    /**
     * Updates one parameter in place.
     *
     * @param param   the parameter tensor
     * @param grad    its gradient (must not be modified)
     * @param state   its buffers, in the order of {@code bufferNames}
     * @param lr      the learning rate
     * @param wd      the weight decay for this parameter (0 when excluded)
     * @param step    this parameter's update count including this one (1 on the first update)
     */
    protected abstract void update(Tensor param, Tensor grad, Tensor[] state, double lr, double wd, long step);

    /** {@return the hyper-parameters, exported with the state and compared on import} */
    protected abstract Map<String, Double> hyperParameters();

    @Override
    public final void step() {
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            Tensor g = p.value().grad();
            if (g == null) continue;
            if (g.numel() != p.value().numel())
                throw new IllegalStateException("gradient of '" + p.name() + "' has shape " + Arrays.toString(g.shape())
                        + " but the parameter has " + Arrays.toString(p.value().shape()));
            paramSteps[i]++;
            try (MemoryScope scratch = MemoryScope.open()) {
                update(p.value(), g, buffers[i], lr, p.weightDecay() ? weightDecay : 0, paramSteps[i]);
            }
        }
        steps++;
    }

    /**
     * A scratch tensor shaped like {@code t}, recycled when the current update finishes.
     *
     * @param t the tensor
     * @return a scratch tensor shaped like {@code t}, recycled when the current update finishes
     */
    protected static Tensor scratchLike(Tensor t) {
        return Tensor.empty(t.dtype(), t.shape());
    }

    @Override
    public void zeroGrad() {
        for (Parameter p : params) p.value().zeroGrad();
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public final void setLearningRate(double lr) {
        checkNonNegative("learning rate", lr);
        this.lr = lr;
    }

    /** {@return the weight decay applied to parameters that have it enabled} */
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    /**
     * The live state buffer {@code name} of parameter {@code index} (for inspection and tests).
     *
     * @param index the index
     * @param name the name
     * @return the live state buffer {@code name} of parameter {@code index} (for inspection and tests)
     */
    public Tensor buffer(int index, String name) {
        int b = Arrays.asList(bufferNames).indexOf(name);
        if (b < 0) throw new IllegalArgumentException("no buffer '" + name + "'; have " + Arrays.toString(bufferNames));
        return buffers[index][b];
    }

    // ---- checkpointing ---------------------------------------------------------------------------

    @Override
    public OptimizerState state() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("step", (double) steps);
        scalars.put("lr", lr);
        scalars.put("weight_decay", weightDecay);
        scalars.putAll(hyperParameters());
        MemoryScope.outside(() -> {
            for (int i = 0; i < params.size(); i++) {
                String n = params.get(i).name();
                for (int b = 0; b < bufferNames.length; b++) tensors.put(n + "." + bufferNames[b], buffers[i][b].copy());
                scalars.put(n + ".step", (double) paramSteps[i]);
            }
            return null;
        });
        return new OptimizerState(type, tensors, scalars);
    }

    @Override
    public void loadState(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        if (!type.equals(state.type()))
            throw new IllegalArgumentException("state is for optimizer '" + state.type() + "', this is '" + type + "'");
        Map<String, Double> sc = state.scalars();
        Set<String> expectedTensors = new TreeSet<>();
        for (int i = 0; i < params.size(); i++) {
            String n = params.get(i).name();
            requireScalar(sc, n + ".step");
            for (int b = 0; b < bufferNames.length; b++) {
                String key = n + "." + bufferNames[b];
                expectedTensors.add(key);
                Tensor t = state.tensors().get(key);
                if (t == null) throw new IllegalArgumentException("optimizer state has no tensor '" + key + "'");
                if (!Arrays.equals(t.shape(), buffers[i][b].shape()))
                    throw new IllegalArgumentException("optimizer state tensor '" + key + "' has shape "
                            + Arrays.toString(t.shape()) + ", parameter needs " + Arrays.toString(buffers[i][b].shape()));
            }
        }
        Set<String> unexpected = new TreeSet<>(state.tensors().keySet());
        unexpected.removeAll(expectedTensors);
        if (!unexpected.isEmpty())
            throw new IllegalArgumentException("optimizer state has tensors for unknown parameters: " + unexpected);
        double step = requireScalar(sc, "step");
        double newLr = requireScalar(sc, "lr");
        checkNonNegative("lr in optimizer state", newLr);
        Map<String, Double> hp = new LinkedHashMap<>(hyperParameters());
        hp.put("weight_decay", weightDecay);
        for (Map.Entry<String, Double> e : hp.entrySet()) {
            Double saved = sc.get(e.getKey());
            if (saved != null && Double.compare(saved, e.getValue()) != 0)
                LOG.warn("optimizer {}: checkpoint has {}={} but this optimizer uses {}; keeping {}",
                        type, e.getKey(), saved, e.getValue(), e.getValue());
        }
        Backend backend = Backend.current();
        for (int i = 0; i < params.size(); i++) {
            String n = params.get(i).name();
            for (int b = 0; b < bufferNames.length; b++)
                backend.copy(state.tensors().get(n + "." + bufferNames[b]), buffers[i][b]);
            paramSteps[i] = (long) (double) sc.get(n + ".step");
        }
        steps = (long) step;
        lr = newLr;
    }

    private static double requireScalar(Map<String, Double> sc, String key) {
        Double v = sc.get(key);
        if (v == null) throw new IllegalArgumentException("optimizer state has no scalar '" + key + "'");
        if (!Double.isFinite(v)) throw new IllegalArgumentException("optimizer state scalar '" + key + "' is " + v);
        return v;
    }
}
