package dev.efficientnet.layers;

import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Children named {@code 0, 1, 2, …} applied in order. */
public final class Sequential extends Module {
    private final List<Module> modules = new ArrayList<>();

    /** Appends a module; returns this. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(modules.size()), m);
        modules.add(m);
        return this;
    }

    public List<Module> modules() {
        return List.copyOf(modules);
    }

    public int size() {
        return modules.size();
    }

    public Module get(int i) {
        return modules.get(i);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : modules) x = m.forward(x);
        return x;
    }
}
