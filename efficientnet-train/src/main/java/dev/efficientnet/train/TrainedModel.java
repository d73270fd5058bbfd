package dev.efficientnet.train;

import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.train.augment.Pipeline;
import dev.efficientnet.train.checkpoint.Checkpoint;
import dev.efficientnet.train.checkpoint.Checkpoints;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.data.Example;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model rebuilt from a training checkpoint: the shape from the checkpoint's config, its EMA weights
 * (or the raw ones), the size it is meant to be tested at (the FixRes size of a
 * {@code fixres.safetensors}, else the final training size) and the trainer's own test-time
 * preprocessing, so a checkpoint can be used without knowing how it was trained.
 *
 * @param model   the model, in eval mode, weights loaded
 * @param config  the run's config
 * @param evalSize the test size
 * @param ema     true when the EMA weights were loaded
 * @param weights the loaded weights (native names)
 */
public record TrainedModel(EfficientNet model, TrainConfig config, int evalSize, boolean ema, Map<String, Tensor> weights) {

    /**
     * Loads {@code checkpoint}; {@code raw} takes the raw weights even when EMA weights exist.
     *
     * @throws IOException when the file is not a readable training checkpoint
     */
    public static TrainedModel load(Path checkpoint, boolean raw) throws IOException {
        Checkpoint c = Checkpoints.read(checkpoint);
        TrainConfig cfg;
        try {
            cfg = TrainConfig.fromJson(c.config());
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + checkpoint + " has an unreadable config: " + e.getMessage(), e);
        }
        EfficientNet net = EfficientNet.create(cfg.modelSpec(), 0);
        boolean useEma = !raw && c.ema() != null;
        Map<String, Tensor> w = useEma ? c.ema() : c.model();
        net.loadStateDict(w, true);
        net.eval();
        Object tunedAt = c.config().get("fixres_size");
        int size = tunedAt instanceof Number n ? n.intValue() : cfg.finalSize();
        return new TrainedModel(net, cfg, size, useEma, w);
    }

    /** The trainer's test-time pipeline for this run (resize to the size, the run's normalization). */
    public Pipeline evalPipeline() {
        return TrainData.evalPipeline(config);
    }

    /**
     * Preprocesses images (HWC, values in [0, 1], 1 or 3 channels, any size) as the trainer does at
     * test time: converted to the model's channels (ITU-R 601-2 luma or replication), resized to
     * {@code size × size}, normalized. Returns an NCHW buffer.
     */
    public float[] preprocess(List<Example> images, int size) {
        Pipeline p = evalPipeline();
        int c = config.inChannels();
        float[] out = new float[images.size() * c * size * size];
        Rng rng = new Rng(0);   // the eval pipeline draws nothing
        for (int i = 0; i < images.size(); i++) {
            Example e = Datasets.convert(images.get(i), c);
            p.writeNormalized(p.process(e, size, rng), out, i);
        }
        return out;
    }
}
