package dev.efficientnet.layers;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Children named {@code 0, 1, 2, …} applied in order. */
public final class Sequential extends Module {
    private final List<Module> modules = new ArrayList<>();
    private final List<UnaryOperator<Tensor>> steps = new ArrayList<>();

    /** An empty sequence; {@link #add} appends. */
    public Sequential() {
    }

    /**
     * Appends a module; returns this.
     *
     * @param m the module
     * @return this
     */
    public Sequential add(Module m) {
        registerModule(Integer.toString(modules.size()), m);
        modules.add(m);
        steps.add(m::forward);
        return this;
    }

    /** {@return the children in order (a copy)} */
    public List<Module> modules() {
        return List.copyOf(modules);
    }

    /** {@return the number of children} */
    public int size() {
        return modules.size();
    }

    /**
     * The child at index {@code i}.
     *
     * @param i the index
     * @return the child at index {@code i}
     */
    public Module get(int i) {
        return modules.get(i);
    }

    /**
     * The children in order. Under {@code GradMode.disabled()} inside a {@link MemoryScope}, each
     * child's temporaries are released as soon as it returns ({@link MemoryScope#applyInOrder}).
     */
    @Override
    public Tensor forward(Tensor x) {
        return MemoryScope.applyInOrder(x, steps);
    }
}
