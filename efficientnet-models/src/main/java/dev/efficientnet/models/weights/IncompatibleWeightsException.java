package dev.efficientnet.models.weights;

/**
 * Weights whose shapes fit the model but whose source model computes differently (another padding
 * rule or BN epsilon), so the model would silently give wrong outputs. Thrown before anything is
 * written; {@link #suggestedPreset()} names the preset the weights belong in, when one exists.
 */
public final class IncompatibleWeightsException extends IllegalArgumentException {
    /** The preset the weights belong in, or null. */
    private final String suggestedPreset;

    /**
     * An exception with its explanation and suggested preset.
     *
     * @param message         the whole explanation (source, what differs, what to do)
     * @param suggestedPreset the preset that reproduces the weights' source model, or null
     */
    public IncompatibleWeightsException(String message, String suggestedPreset) {
        super(message);
        this.suggestedPreset = suggestedPreset;
    }

    /** {@return the preset these weights belong in, or null when no preset reproduces their source} */
    public String suggestedPreset() {
        return suggestedPreset;
    }
}
