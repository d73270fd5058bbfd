package dev.efficientnet.models.weights;

import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adapts pretrained weights to another number of input channels, as timm's
 * {@code adapt_input_conv} does for {@code in_chans}: for 1 channel the stem filters are summed over
 * the RGB channels (over each group of 3 when the stem has a multiple of 3 inputs); for more than 3
 * the RGB filters are repeated {@code ceil(n / 3)} times, cut to {@code n} and scaled by
 * {@code 3 / n}, so a grey (or repeated) image gives the same stem response as before.
 *
 * <pre>{@code
 * EfficientNet rgb = EfficientNet.create("tf_efficientnet_b0");
 * Weights.load(rgb, Path.of("tf_efficientnet_b0.safetensors"));
 * EfficientNet grey = InputChannels.adapt(rgb, 1);   // spec().inChannels() == 1
 * }</pre>
 */
public final class InputChannels {
    /** State-dict key of the stem convolution weight (native naming). */
    public static final String STEM_WEIGHT = "stem.conv.weight";

    private InputChannels() {
    }

    /**
     * A new model like {@code model} but with {@code inChannels} input channels: every weight and
     * buffer copied, the stem convolution adapted ({@link #adaptConvWeight}); same train/eval mode.
     */
    public static EfficientNet adapt(EfficientNet model, int inChannels) {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (inChannels < 1) throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        Tensor stem = state.get(STEM_WEIGHT);
        if (stem == null) throw new IllegalStateException("model has no " + STEM_WEIGHT);
        state.put(STEM_WEIGHT, adaptConvWeight(stem, inChannels));
        EfficientNet out = EfficientNet.create(model.spec().withInChannels(inChannels));
        out.loadStateDict(state, true);
        out.train(model.isTraining());
        return out;
    }

    /**
     * timm's {@code adapt_input_conv} on a convolution weight in native layout
     * {@code [kH, kW, in, out]}; a new long-lived tensor.
     *
     * @throws IllegalArgumentException when the rule does not apply (1 channel from a stem whose
     *                                  inputs are not a multiple of 3; more channels from a stem
     *                                  without exactly 3)
     */
    public static Tensor adaptConvWeight(Tensor weight, int inChannels) {
        int[] s = weight.shape();
        if (s.length != 4) throw new IllegalArgumentException("expected a [kH, kW, in, out] weight, got " + Arrays.toString(s));
        float[] w = weight.toFloatArray();
        float[] a = adapt(w, s[0], s[1], s[2], s[3], inChannels);
        int[] shape = {s[0], s[1], inChannels, s[3]};
        return MemoryScope.outside(() -> Tensor.of(a, shape));
    }

    /** {@link #adaptConvWeight} on a flat {@code [kH, kW, in, out]} array. */
    static float[] adapt(float[] w, int kh, int kw, int in, int out, int n) {
        if (n == in) return w.clone();
        int taps = kh * kw;
        float[] a = new float[taps * n * out];
        if (n == 1) {
            if (in % 3 != 0)
                throw new IllegalArgumentException("cannot adapt a stem with " + in + " input channels to 1 (needs a multiple of 3)");
            // timm: weight.reshape(O, I // 3, 3, kH, kW).sum(dim=2) -> I // 3 channels; with I == 3 that is 1
            int groups = in / 3;
            if (groups != 1)
                throw new IllegalArgumentException("cannot adapt a stem with " + in + " input channels to 1 (gives " + groups + ")");
            for (int t = 0; t < taps; t++)
                for (int o = 0; o < out; o++) {
                    float sum = 0;
                    for (int c = 0; c < in; c++) sum += w[(t * in + c) * out + o];
                    a[t * out + o] = sum;
                }
            return a;
        }
        if (in != 3)
            throw new IllegalArgumentException("cannot adapt a stem with " + in + " input channels to " + n + " (needs 3)");
        float scale = (float) (3.0 / n);
        for (int t = 0; t < taps; t++)
            for (int c = 0; c < n; c++)
                for (int o = 0; o < out; o++) a[(t * n + c) * out + o] = w[(t * in + c % 3) * out + o] * scale;
        return a;
    }
}
