package dev.efficientnet.layers;

import java.util.List;

/** A state dict that does not fit a module: lists every missing, unexpected and mis-shaped key. */
public final class StateDictException extends IllegalArgumentException {
    /** Keys the model has and the state lacks. */
    private final List<String> missing;
    /** Keys the state has and the model lacks. */
    private final List<String> unexpected;
    /** One "key: checkpoint [..] vs model [..]" entry per shape mismatch. */
    private final List<String> mismatched;

    /**
     * An exception listing the missing, unexpected and mis-shaped keys (the lists are copied).
     *
     * @param missing the keys the model has and the state lacks
     * @param unexpected the keys the state has and the model lacks
     * @param mismatched the shape mismatches, one "key: checkpoint [..] vs model [..]" entry each
     */
    public StateDictException(List<String> missing, List<String> unexpected, List<String> mismatched) {
        super(message(missing, unexpected, mismatched));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.mismatched = List.copyOf(mismatched);
    }

    private static String message(List<String> missing, List<String> unexpected, List<String> mismatched) {
        return "state dict does not match the model:" + problems(missing, unexpected, mismatched);
    }

    /**
     * The problem list shared by every "does not fit" message:
     * {@code " missing 2 [a, b]; unexpected 1 [c]; shape mismatch 1 [d: ...];"} (empty parts left out).
     *
     * @param missing the keys the model has and the state lacks
     * @param unexpected the keys the state has and the model lacks
     * @param mismatched the shape mismatches, one "key: checkpoint [..] vs model [..]" entry each
     * @return the problem list shared by every "does not fit" message: {@code " missing 2 [a, b]; unexpected 1 [c]; shape mismatch 1 [d: ...];"} (empty parts left out)
     */
    public static String problems(List<String> missing, List<String> unexpected, List<String> mismatched) {
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) sb.append(" missing ").append(missing.size()).append(' ').append(missing).append(';');
        if (!unexpected.isEmpty()) sb.append(" unexpected ").append(unexpected.size()).append(' ').append(unexpected).append(';');
        if (!mismatched.isEmpty()) sb.append(" shape mismatch ").append(mismatched.size()).append(' ').append(mismatched).append(';');
        return sb.toString();
    }

    /** {@return keys the model has and the state lacks} */
    public List<String> missing() {
        return missing;
    }

    /** {@return keys the state has and the model lacks} */
    public List<String> unexpected() {
        return unexpected;
    }

    /** {@return "key: checkpoint [..] vs model [..]" for every shape mismatch} */
    public List<String> mismatched() {
        return mismatched;
    }
}
