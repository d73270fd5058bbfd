package dev.efficientnet.spark;

import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;

import java.io.Serializable;

/**
 * How an executor rebuilds the model's {@link ModelSpec}: a serializable recipe shipped with the
 * task (a {@code ModelSpec} itself is not serializable). Use {@link #preset} or a serializable
 * lambda such as {@code (ModelSource) () -> Presets.get("efficientnet_b0").withNumClasses(10)}.
 */
@FunctionalInterface
public interface ModelSource extends Serializable {
    /** The spec of the model to build (called once per executor JVM and model). */
    ModelSpec spec();

    /** The preset {@code name} with the given width/depth multipliers and class count. */
    static ModelSource preset(String name, double widthMult, double depthMult, int numClasses) {
        return new PresetSource(name, widthMult, depthMult, numClasses);
    }

    /** The preset {@code name} as is. */
    static ModelSource preset(String name) {
        ModelSpec s = Presets.get(name);
        return preset(name, s.widthMult(), s.depthMult(), s.numClasses());
    }

    /** A preset with overrides (what the CLI's --width-mult/--depth-mult/--num-classes give). */
    record PresetSource(String name, double widthMult, double depthMult, int numClasses) implements ModelSource {
        @Override
        public ModelSpec spec() {
            return Presets.get(name, widthMult, depthMult, numClasses);
        }
    }
}
