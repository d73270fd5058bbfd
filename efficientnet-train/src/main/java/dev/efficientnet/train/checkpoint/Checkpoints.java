package dev.efficientnet.train.checkpoint;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.optim.OptimizerState;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes training checkpoints as one safetensors file, written atomically (temporary file
 * in the same folder, forced, renamed over the target), so a crash leaves the previous complete
 * checkpoint. Tensors are stored under {@code model.*}, {@code ema.*} and {@code optim.*}, as F32
 * (the float32 training state is stored exactly); the metadata holds {@code format}, {@code config},
 * {@code state}, {@code optimizer} (type and scalars) as JSON strings, and {@code arch}.
 *
 * <p>A checkpoint is also a weights file: {@link #modelWeights} extracts the model or EMA weights.
 */
public final class Checkpoints {
    /** The {@code format} metadata value. */
    public static final String FORMAT = "efficientnet-train-checkpoint/1";
    /** File name of the latest checkpoint in a run folder. */
    public static final String LAST = "last.safetensors";
    /** File name of the best checkpoint in a run folder. */
    public static final String BEST = "best.safetensors";

    private Checkpoints() {
    }

    /** Writes {@code ckpt} to {@code file} atomically. */
    public static void write(Path file, Checkpoint ckpt) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ckpt.model().forEach((k, v) -> tensors.put("model." + k, v));
        if (ckpt.ema() != null) ckpt.ema().forEach((k, v) -> tensors.put("ema." + k, v));
        ckpt.optimizer().tensors().forEach((k, v) -> tensors.put("optim." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        Object arch = ckpt.config().get("arch");
        if (arch != null) meta.put("arch", arch.toString());
        meta.put("config", Json.write(ckpt.config()));
        meta.put("state", Json.write(ckpt.state().toJson()));
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", ckpt.optimizer().type());
        opt.put("scalars", new LinkedHashMap<>(ckpt.optimizer().scalars()));
        meta.put("optimizer", Json.write(opt));
        Safetensors.write(file, tensors, meta);
    }

    /** True if {@code file} is a safetensors file with this trainer's checkpoint metadata. */
    public static boolean isCheckpoint(Path file) {
        try {
            SafetensorsFile f = Safetensors.read(file);
            return FORMAT.equals(f.metadata().get("format"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The config stored in a checkpoint's metadata (tensors are not read). */
    public static Map<String, Object> readConfig(Path file) throws IOException {
        return Json.parseObject(metadata(file).get("config"));
    }

    /** The training state stored in a checkpoint's metadata (tensors are not read). */
    public static TrainState readState(Path file) throws IOException {
        try {
            return TrainState.fromJson(Json.parseObject(metadata(file).get("state")));
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> metadata(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("checkpoint " + file + " does not exist");
        Map<String, String> meta = Safetensors.read(file).metadata();
        if (!FORMAT.equals(meta.get("format")))
            throw new IOException(file + " is not a training checkpoint (metadata format is " + meta.get("format") + ", expected " + FORMAT + ")");
        if (meta.get("config") == null || meta.get("state") == null) throw new IOException("checkpoint " + file + " is damaged: no config or state");
        return meta;
    }

    /** Reads a checkpoint; a file that is not one is an {@link IOException} naming it. */
    @SuppressWarnings("unchecked")
    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("checkpoint " + file + " does not exist");
        SafetensorsFile f = Safetensors.read(file);
        Map<String, String> meta = f.metadata();
        if (!FORMAT.equals(meta.get("format")))
            throw new IOException(file + " is not a training checkpoint (metadata format is " + meta.get("format") + ", expected " + FORMAT + ")");
        try {
            Map<String, Object> config = Json.parseObject(meta.get("config"));
            TrainState state = TrainState.fromJson(Json.parseObject(meta.get("state")));
            Map<String, Object> opt = Json.parseObject(meta.get("optimizer"));
            Map<String, Double> scalars = new LinkedHashMap<>();
            ((Map<String, Object>) opt.get("scalars")).forEach((k, v) -> scalars.put(k, ((Number) v).doubleValue()));
            Map<String, Tensor> model = new LinkedHashMap<>();
            Map<String, Tensor> ema = new LinkedHashMap<>();
            Map<String, Tensor> optim = new LinkedHashMap<>();
            MemoryScope.outside(() -> {
                for (String name : f.names()) {
                    Tensor t;
                    try {
                        t = f.get(name);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    if (name.startsWith("model.")) model.put(name.substring(6), t);
                    else if (name.startsWith("ema.")) ema.put(name.substring(4), t);
                    else if (name.startsWith("optim.")) optim.put(name.substring(6), t);
                }
                return null;
            });
            return new Checkpoint(config, state, model, ema.isEmpty() ? null : ema,
                    new OptimizerState((String) opt.get("type"), optim, scalars));
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    /**
     * The weights stored in a checkpoint: the EMA weights when {@code preferEma} and present, else
     * the raw model weights.
     */
    public static Map<String, Tensor> modelWeights(Path file, boolean preferEma) throws IOException {
        Checkpoint c = read(file);
        return preferEma && c.ema() != null ? c.ema() : c.model();
    }
}
