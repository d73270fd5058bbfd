package dev.efficientnet.models.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * An unscaled network definition: base stem width, base stage table, head rule, and the
 * channel-rounding policy used when width/depth multipliers are applied.
 *
 * @param family       V1 or V2
 * @param stemChannels base stem width (scaled with the same rounding as the stages)
 * @param stages       base stage table; stage 0's in must equal the stem, each next in the previous out
 * @param headRule     how the head width is derived
 * @param headChannels base head width (1280), ignored by {@link HeadRule#FOUR_X_LAST_STAGE}
 * @param divisor      channel divisor (8)
 * @param roundLimit   {@link Scaling#makeDivisible} limit: 0.9 = 10% rule, 0 = none
 * @param fixedStem    the stem width is not scaled (EfficientNet-Lite: timm {@code fix_stem})
 * @param fixedFirstLastRepeats the first and last stages keep their repeats under depth scaling
 *                     (EfficientNet-Lite: timm {@code fix_first_last})
 */
public record Architecture(ModelFamily family, int stemChannels, List<StageSpec> stages,
                           HeadRule headRule, int headChannels, int divisor, double roundLimit,
                           boolean fixedStem, boolean fixedFirstLastRepeats) {

    /** An architecture whose stem and every stage scale (every preset but the Lite ones). */
    public Architecture(ModelFamily family, int stemChannels, List<StageSpec> stages,
                        HeadRule headRule, int headChannels, int divisor, double roundLimit) {
        this(family, stemChannels, stages, headRule, headChannels, divisor, roundLimit, false, false);
    }

    /** Validates and copies the table. */
    public Architecture {
        if (family == null || headRule == null) {
            throw new IllegalArgumentException("family and head rule are required");
        }
        if (stemChannels < 1 || headChannels < 1 || divisor < 1) {
            throw new IllegalArgumentException("stem, head and divisor must be >= 1, got "
                    + stemChannels + ", " + headChannels + ", " + divisor);
        }
        if (!(roundLimit >= 0 && roundLimit < 1)) {
            throw new IllegalArgumentException("round limit must be in [0, 1), got " + roundLimit);
        }
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("at least one stage is required");
        }
        stages = List.copyOf(stages);
        int prev = stemChannels;
        for (int i = 0; i < stages.size(); i++) {
            StageSpec s = stages.get(i);
            if (s.inChannels() != prev) {
                throw new IllegalArgumentException("stage " + i + " has in channels " + s.inChannels()
                        + " but the previous " + (i == 0 ? "stem" : "stage") + " outputs " + prev);
            }
            prev = s.outChannels();
        }
    }

    /** An architecture with the family's default head rule, 1280 head, divisor and round limit. */
    public static Architecture of(ModelFamily family, int stemChannels, List<StageSpec> stages) {
        return new Architecture(family, stemChannels, stages, family.defaultHeadRule(),
                family.defaultHeadChannels(), family.defaultDivisor(), family.defaultRoundLimit());
    }

    /** This architecture with another round limit. */
    public Architecture withRoundLimit(double limit) {
        return new Architecture(family, stemChannels, stages, headRule, headChannels, divisor, limit, fixedStem,
                fixedFirstLastRepeats);
    }

    /** This architecture with another head rule and base head width. */
    public Architecture withHead(HeadRule rule, int baseHeadChannels) {
        return new Architecture(family, stemChannels, stages, rule, baseHeadChannels, divisor, roundLimit, fixedStem,
                fixedFirstLastRepeats);
    }

    /** This architecture with a fixed (unscaled) stem and first/last stage repeats, or not. */
    public Architecture withFixedStemAndEnds(boolean stem, boolean firstLastRepeats) {
        return new Architecture(family, stemChannels, stages, headRule, headChannels, divisor, roundLimit, stem,
                firstLastRepeats);
    }

    /** {@code round_filters(channels, width)} with this architecture's divisor and round limit. */
    public int roundFilters(int channels, double widthMult) {
        return Scaling.roundFilters(channels, widthMult, divisor, roundLimit);
    }

    /** Scaled stem width. */
    public int scaledStem(double widthMult) {
        return fixedStem ? stemChannels : roundFilters(stemChannels, widthMult);
    }

    /** The stage table with scaled channels and repeats. */
    public List<StageSpec> scaledStages(double widthMult, double depthMult) {
        List<StageSpec> out = new ArrayList<>(stages.size());
        for (int i = 0; i < stages.size(); i++) {
            StageSpec s = stages.get(i);
            boolean fixedRepeats = fixedFirstLastRepeats && (i == 0 || i == stages.size() - 1);
            StageSpec scaled = s.scaled(widthMult, fixedRepeats ? 1.0 : depthMult, divisor, roundLimit);
            if (i == 0 && fixedStem) scaled = scaled.withChannels(scaledStem(widthMult), scaled.outChannels());
            out.add(scaled);
        }
        return List.copyOf(out);
    }

    /** Scaled head width. */
    public int scaledHead(double widthMult) {
        int lastOut = roundFilters(stages.get(stages.size() - 1).outChannels(), widthMult);
        return headRule.resolve(headChannels, widthMult, divisor, roundLimit, lastOut);
    }
}
