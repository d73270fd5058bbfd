package dev.efficientnet.train.search;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one finished candidate measured (a line of {@code results.jsonl}).
 *
 * @param id              candidate id
 * @param kind            candidate kind ({@link Candidate#kind()})
 * @param alpha           depth base
 * @param beta            width base
 * @param gamma           resolution base
 * @param seed            training seed
 * @param widthMult       width multiplier trained
 * @param depthMult       depth multiplier trained
 * @param resolution      input size
 * @param params          trainable parameters
 * @param macs            MACs per image at {@code resolution}
 * @param accuracy        test accuracy of the final weights (EMA when enabled)
 * @param epochs          epochs trained
 * @param trainImages     training images processed
 * @param trainSeconds    time spent in training steps
 * @param inferenceMs     median eval forward latency, batch 1, at {@code resolution}
 */
public record CandidateResult(String id, String kind, double alpha, double beta, double gamma, long seed,
                              double widthMult, double depthMult, int resolution, long params, long macs,
                              double accuracy, int epochs, long trainImages, double trainSeconds, double inferenceMs) {

    /** Training time per image, milliseconds. */
    public double trainMsPerImage() {
        return trainImages > 0 ? 1000 * trainSeconds / trainImages : Double.NaN;
    }

    /** The paper's objective ACC &times; (MACs / target)<sup>w</sup> (MnasNet, EfficientNet w = &minus;0.07). */
    public double score(double targetMacs, double w) {
        return accuracy * Math.pow(macs / targetMacs, w);
    }

    /** The JSON object of this result. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("kind", kind);
        m.put("alpha", alpha);
        m.put("beta", beta);
        m.put("gamma", gamma);
        m.put("seed", seed);
        m.put("width_mult", widthMult);
        m.put("depth_mult", depthMult);
        m.put("resolution", resolution);
        m.put("params", params);
        m.put("macs", macs);
        m.put("accuracy", accuracy);
        m.put("epochs", epochs);
        m.put("train_images", trainImages);
        m.put("train_seconds", trainSeconds);
        m.put("train_ms_per_image", trainMsPerImage());
        m.put("inference_ms", inferenceMs);
        return m;
    }

    /** Reads {@link #toJson()}; a missing key is an {@link IllegalArgumentException}. */
    public static CandidateResult fromJson(Map<String, Object> m) {
        return new CandidateResult(str(m, "id"), str(m, "kind"), num(m, "alpha"), num(m, "beta"), num(m, "gamma"),
                (long) num(m, "seed"), num(m, "width_mult"), num(m, "depth_mult"), (int) num(m, "resolution"),
                (long) num(m, "params"), (long) num(m, "macs"), num(m, "accuracy"), (int) num(m, "epochs"),
                (long) num(m, "train_images"), num(m, "train_seconds"), num(m, "inference_ms"));
    }

    private static String str(Map<String, Object> m, String k) {
        if (!(m.get(k) instanceof String s)) throw new IllegalArgumentException("result has no string '" + k + "'");
        return s;
    }

    private static double num(Map<String, Object> m, String k) {
        if (!(m.get(k) instanceof Number n)) throw new IllegalArgumentException("result has no number '" + k + "'");
        return n.doubleValue();
    }
}
