package dev.efficientnet.layers;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A building block with named parameters, named buffers (e.g. BN running statistics) and child
 * modules, in a stable dotted naming ({@code stages.1.0.dw.conv.weight}); train/eval mode;
 * freezing; and state dicts. Subclasses register what they own in their constructor and implement
 * {@link #forward}.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean frozen;

    /** Applies the module. */
    public abstract Tensor forward(Tensor x);

    // ---- registration -------------------------------------------------------------------------

    /** Registers a trainable tensor (made long-lived and grad-requiring); returns it. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a non-trainable state tensor (saved in the state dict); returns it. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /** Registers a child module; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        module.train(training);
        return module;
    }

    /**
     * Replaces the child registered as {@code name} by {@code module} in place (same position in the
     * state dict), registers it when absent, or with a null {@code module} removes it; returns it.
     */
    protected final <M extends Module> M replaceModule(String name, M module) {
        if (!children.containsKey(name)) return module == null ? null : registerModule(name, module);
        if (module == null) children.remove(name);
        else {
            children.put(name, module);
            module.train(training);
        }
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("bad member name '" + name + "'");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException("member '" + name + "' registered twice in " + getClass().getSimpleName());
    }

    /** Allocates long-lived storage (outside any open {@link MemoryScope}) for parameters and buffers. */
    protected static Tensor persistent(java.util.function.Supplier<Tensor> create) {
        return MemoryScope.outside(create);
    }

    // ---- traversal ----------------------------------------------------------------------------

    /** Direct children by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** A direct child by name, or null. */
    public final Module child(String name) {
        return children.get(name);
    }

    /** Every trainable tensor with its dotted name, in registration order. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** Every buffer with its dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** The trainable tensors (including frozen ones; see {@link #trainableParameters()}). */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters that currently require a gradient (not frozen). */
    public final Map<String, Tensor> trainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> {
            if (v.requiresGrad()) out.put(k, v);
        });
        return out;
    }

    /** Total number of parameter elements. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.numel();
        return n;
    }

    /** Parameters then buffers of every module, each in registration order, under dotted names. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (bufs) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, params, bufs));
    }

    /**
     * Copies {@code state} into this module's parameters and buffers. All keys are checked before
     * anything is written: a mismatch fails with one {@link StateDictException} listing every
     * missing, unexpected and shape-mismatched key, and loads nothing. With {@code strict = false}
     * missing and unexpected keys are tolerated (shape mismatches never are).
     *
     * @return the keys that were loaded
     */
    public final List<String> loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) missing.add(e.getKey());
            else if (!Arrays.equals(src.shape(), e.getValue().shape()))
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.shape()) + " vs model " + Arrays.toString(e.getValue().shape()));
        }
        for (String k : state.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty())))
            throw new StateDictException(missing, unexpected, mismatched);
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null) {
                e.getValue().assign(src);
                loaded.add(e.getKey());
            }
        }
        return loaded;
    }

    // ---- modes --------------------------------------------------------------------------------

    /** Sets training mode recursively (frozen modules stay in eval mode); returns this. */
    public Module train(boolean on) {
        training = on && !frozen;
        for (Module m : children.values()) m.train(on);
        return this;
    }

    /** Eval mode recursively. */
    public final Module eval() {
        return train(false);
    }

    /** True in training mode. */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Freezes this module and its children: parameters stop requiring gradients and batch norms
     * run on their running statistics (eval mode) even while the model trains.
     */
    public final Module freeze() {
        setFrozen(true);
        return this;
    }

    /** Undoes {@link #freeze()}; the module follows the model's mode again at the next {@link #train}. */
    public final Module unfreeze() {
        setFrozen(false);
        return this;
    }

    private void setFrozen(boolean value) {
        frozen = value;
        for (Tensor p : parameters.values()) {
            p.requiresGrad(!value);
            if (value) p.clearGrad();
        }
        if (value) training = false;
        for (Module m : children.values()) m.setFrozen(value);
    }

    /** True if frozen. */
    public final boolean isFrozen() {
        return frozen;
    }

    /** Clears or zeroes the gradients of all parameters. */
    public final void zeroGrad() {
        for (Tensor p : namedParameters().values()) p.zeroGrad();
    }
}
