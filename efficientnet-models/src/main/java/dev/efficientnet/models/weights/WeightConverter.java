package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.torch.TorchSave;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts weights between formats without building a model: a PyTorch {@code .pth}/{@code .pt}
 * state dict (or a safetensors file) to safetensors (or to {@code .pth}), keeping the source's
 * tensor names and layouts, so the result loads exactly like the source into any preset it fits.
 * The naming is detected (timm, torchvision or native, as {@link Weights#load} does) and a common
 * wrapper prefix such as {@code module.} is removed; bookkeeping entries
 * ({@code num_batches_tracked}) are dropped; every value is written as float32 (float16/bfloat16
 * convert exactly). The metadata records {@code format=pt}, the naming and the source file name.
 * The output is written atomically and never over the input.
 */
public final class WeightConverter {
    private static final Logger LOG = LoggerFactory.getLogger(WeightConverter.class);

    private WeightConverter() {
    }

    /** What {@link #convert} did. */
    public record Result(WeightFile.Format from, Naming naming, String strippedPrefix, int tensors, List<String> dropped,
                         long outputBytes) {
    }

    /** The output format chosen by {@code out}'s extension: {@code .safetensors}, {@code .pth} or {@code .pt}. */
    public static WeightFile.Format outputFormat(Path out) {
        String n = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".safetensors")) return WeightFile.Format.SAFETENSORS;
        if (n.endsWith(".pth") || n.endsWith(".pt")) return WeightFile.Format.PYTORCH;
        throw new IllegalArgumentException(out + ": the output must end in .safetensors, .pth or .pt");
    }

    /**
     * Converts {@code in} to {@code out} (format from the extension).
     *
     * @param key for a PyTorch training checkpoint, the top-level entry holding the state dict
     *            (null: automatic, see {@link dev.efficientnet.core.io.torch.TorchFile})
     * @throws IllegalArgumentException if {@code out} is {@code in}, has an unknown extension, or the
     *                                  names are not an EfficientNet naming
     */
    public static Result convert(Path in, String key, Path out) throws IOException {
        if (in == null || out == null) throw new IllegalArgumentException("input and output are required");
        WeightFile.Format to = outputFormat(out);
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)
                || in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize()))
            throw new IllegalArgumentException(out + " is the input file; choose another output");
        long t0 = System.nanoTime();
        try (WeightFile f = WeightFile.open(in, key)) {
            List<String> dropped = new ArrayList<>();
            List<String> live = new ArrayList<>();
            for (String k : f.names()) {
                if (Naming.isBookkeeping(k)) dropped.add(k);
                else live.add(k);
            }
            Naming.Detected d;
            try {
                d = Naming.detect(live);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(f.describe() + ": " + e.getMessage(), e);
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            for (String k : live) {
                String name = k.substring(d.prefix().length());
                values.put(name, f.floats(k));
                shapes.put(name, f.shape(k));
            }
            if (to == WeightFile.Format.PYTORCH) {
                TorchSave.write(out, values, shapes);
            } else {
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("format", "pt");
                meta.put("naming", d.naming().id());
                meta.put("converted_from", in.getFileName() == null ? in.toString() : in.getFileName().toString());
                try (MemoryScope scope = MemoryScope.open()) {
                    Map<String, Tensor> tensors = new LinkedHashMap<>();
                    for (Map.Entry<String, float[]> e : values.entrySet()) {
                        int[] shape = shapes.get(e.getKey());
                        float[] v = e.getValue();
                        tensors.put(e.getKey(), v.length == 0 ? Tensor.zeros(dev.efficientnet.core.tensor.DType.FLOAT32, shape)
                                : Tensor.of(v, shape));
                    }
                    Safetensors.write(out, tensors, meta);
                }
            }
            long bytes = Files.size(out);
            LOG.info("converted {} ({}, {} naming, {} tensors) to {} ({} bytes) in {} ms", f.describe(), f.format(),
                    d.naming().id(), values.size(), out, bytes, (System.nanoTime() - t0) / 1_000_000);
            return new Result(f.format(), d.naming(), d.prefix(), values.size(), dropped, bytes);
        }
    }
}
