package dev.efficientnet.cli;

import picocli.CommandLine.Option;

/**
 * Shared options that reshape a preset: {@code --width-mult}, {@code --depth-mult},
 * {@code --num-classes}. Unset options keep the preset's values. Use as
 * {@code @Mixin ModelOptions model;} and resolve with {@link Architectures#resolve}.
 */
public final class ModelOptions {
    @Option(names = "--width-mult", paramLabel = "W",
            description = "Channel multiplier replacing the preset's (e.g. 0.25 for a tiny model).")
    Double widthMult;

    @Option(names = "--depth-mult", paramLabel = "D",
            description = "Depth (repeat) multiplier replacing the preset's.")
    Double depthMult;

    @Option(names = "--num-classes", paramLabel = "N",
            description = "Classifier outputs (default: the preset's, 1000; 0 = no classifier).")
    Integer numClasses;

    /** Options with nothing set (the preset as is). */
    public ModelOptions() {
    }

    /** Options with the given overrides (null = keep the preset's value). */
    public ModelOptions(Double widthMult, Double depthMult, Integer numClasses) {
        this.widthMult = widthMult;
        this.depthMult = depthMult;
        this.numClasses = numClasses;
    }

    /** The width override, or null. */
    public Double widthMult() {
        return widthMult;
    }

    /** The depth override, or null. */
    public Double depthMult() {
        return depthMult;
    }

    /** The class-count override, or null. */
    public Integer numClasses() {
        return numClasses;
    }

    /** True when any override is set. */
    public boolean isSet() {
        return widthMult != null || depthMult != null || numClasses != null;
    }
}
