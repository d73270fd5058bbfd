package dev.efficientnet.models.weights;

import dev.efficientnet.layers.StateDictException;

import java.util.List;

/**
 * A checkpoint that does not fit the model. It lists every problem at once — keys the model needs
 * and the checkpoint lacks, checkpoint keys the model has no place for, and shape mismatches — in
 * the checkpoint's own naming and PyTorch/native layout, and is thrown before anything is written
 * into the model.
 */
public final class WeightLoadException extends IllegalArgumentException {
    /** The file or "map" the weights came from. */
    private final String source;
    /** The detected naming. */
    private final Naming naming;
    /** Keys the model needs and the checkpoint lacks. */
    private final List<String> missing;
    /** Checkpoint keys that have no place in the model. */
    private final List<String> unexpected;
    /** One "key: checkpoint [..] vs model [..]" entry per shape mismatch. */
    private final List<String> mismatched;

    /**
     * An exception listing every problem of the checkpoint (the lists are copied).
     *
     * @param source     the file or "map" the weights came from
     * @param naming     the detected naming
     * @param missing    keys the model needs and the checkpoint lacks
     * @param unexpected checkpoint keys that have no place in the model
     * @param mismatched "key: checkpoint [..] vs model [..]" for every shape mismatch
     */
    public WeightLoadException(String source, Naming naming, List<String> missing, List<String> unexpected,
                               List<String> mismatched) {
        super(message(source, naming, missing, unexpected, mismatched));
        this.source = source;
        this.naming = naming;
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.mismatched = List.copyOf(mismatched);
    }

    private static String message(String source, Naming naming, List<String> missing, List<String> unexpected,
                                  List<String> mismatched) {
        StringBuilder sb = new StringBuilder("weights ").append(source).append(" (").append(naming.id())
                .append(" naming) do not fit the model, nothing was loaded:")
                .append(StateDictException.problems(missing, unexpected, mismatched));
        if (!mismatched.isEmpty() || !missing.isEmpty())
            sb.append(" (check the preset, width/depth multipliers and class count against the checkpoint)");
        return sb.toString();
    }

    /** {@return where the weights came from} */
    public String source() {
        return source;
    }

    /** {@return the naming detected from the keys} */
    public Naming naming() {
        return naming;
    }

    /** {@return keys the model needs and the checkpoint lacks (checkpoint naming)} */
    public List<String> missing() {
        return missing;
    }

    /** {@return checkpoint keys the model has no place for} */
    public List<String> unexpected() {
        return unexpected;
    }

    /** {@return "key: checkpoint [..] vs model [..]" for every shape mismatch} */
    public List<String> mismatched() {
        return mismatched;
    }
}
