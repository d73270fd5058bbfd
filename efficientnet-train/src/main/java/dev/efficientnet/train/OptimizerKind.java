package dev.efficientnet.train;

import dev.efficientnet.core.optim.AdamW;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.Parameter;
import dev.efficientnet.core.optim.RmsPropTf;
import dev.efficientnet.core.optim.Sgd;

import java.util.List;
import java.util.Locale;

/** The optimizers the trainer can use (all from {@code dev.efficientnet.core.optim}). */
public enum OptimizerKind {
    /** TF-style RMSProp with the EfficientNet settings (alpha 0.9, momentum 0.9, eps 1e-3). */
    RMSPROP_TF,
    /** SGD with Nesterov momentum 0.9. */
    SGD,
    /** AdamW (beta 0.9/0.999, eps 1e-8, decoupled weight decay). */
    ADAMW;

    /** Builds the optimizer over {@code params} (weight decay only where {@link Parameter#weightDecay()}). */
    public Optimizer create(List<Parameter> params, double lr, double weightDecay) {
        return switch (this) {
            case RMSPROP_TF -> RmsPropTf.efficientNet(params, lr, weightDecay);
            case SGD -> new Sgd(params, lr, 0.9, true, weightDecay);
            case ADAMW -> new AdamW(params, lr, weightDecay);
        };
    }

    /** Parses "rmsprop", "rmsprop_tf", "sgd", "adamw" (any case). */
    public static OptimizerKind parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "rmsprop", "rmsprop_tf", "rmsproptf" -> RMSPROP_TF;
            case "sgd" -> SGD;
            case "adamw" -> ADAMW;
            default -> throw new IllegalArgumentException("unknown optimizer '" + s + "' (known: rmsprop_tf, sgd, adamw)");
        };
    }

    /** The lower-case name used in configs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
