package dev.efficientnet.bench;

import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;

/**
 * A whole-model benchmark configuration, written {@code preset@resolution/batch}
 * (e.g. {@code efficientnet_b0@224/16}).
 *
 * @param spec       the preset's model spec
 * @param resolution square input size
 * @param batch      images per step
 */
public record ModelCase(ModelSpec spec, int resolution, int batch) {
    /** Parses {@code preset@resolution/batch}. */
    public static ModelCase parse(String text) {
        int at = text.indexOf('@');
        int slash = text.indexOf('/', Math.max(at, 0));
        if (at < 1 || slash < at + 2 || slash == text.length() - 1)
            throw new IllegalArgumentException("model config must look like efficientnet_b0@224/16, got '" + text + "'");
        ModelSpec spec = Presets.get(text.substring(0, at));
        int res = Integer.parseInt(text.substring(at + 1, slash));
        int batch = Integer.parseInt(text.substring(slash + 1));
        if (res < 1 || batch < 1) throw new IllegalArgumentException("resolution and batch must be >= 1 in '" + text + "'");
        return new ModelCase(spec, res, batch);
    }

    /** Forward multiply-accumulates of the whole batch. */
    public long macs() {
        return spec.macs(resolution) * batch;
    }
}
