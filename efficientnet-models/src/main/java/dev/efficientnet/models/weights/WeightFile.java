package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.io.torch.TorchFile;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * An opened weights file of either format, detected from its first bytes: safetensors, or a
 * PyTorch {@code .pth}/{@code .pt} checkpoint ({@code torch.save} zip; the state dict is found inside
 * {@code {"state_dict": ...}}-style training checkpoints, see {@link TorchFile}). Opens a
 * {@link Path}, an {@link InputStream} or a classpath resource (streams are copied to a temporary
 * file deleted on {@link #close}). Used by {@link Weights#load} and the CLI's {@code convert}.
 */
public final class WeightFile implements Closeable {
    /** The two formats. */
    public enum Format {
        /** Hugging Face safetensors. */
        SAFETENSORS,
        /** PyTorch torch.save (zip + pickle). */
        PYTORCH
    }

    private final String describe;
    private final SafetensorsFile safetensors;
    private final TorchFile torch;
    private final Path temp;

    private WeightFile(String describe, SafetensorsFile safetensors, TorchFile torch, Path temp) {
        this.describe = describe;
        this.safetensors = safetensors;
        this.torch = torch;
        this.temp = temp;
    }

    /** Opens {@code file}, safetensors or PyTorch. */
    public static WeightFile open(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        return open(file, file.toString(), null);
    }

    /**
     * Opens {@code file}; for a PyTorch checkpoint, reads the state dict under top-level entry
     * {@code key} (e.g. {@code "state_dict_ema"}; null picks it automatically). A safetensors file has
     * no entries, so a non-null key is an error there.
     */
    public static WeightFile open(Path file, String key) throws IOException {
        if (key == null) return open(file);
        if (file == null) throw new IllegalArgumentException("file is null");
        if (!Files.exists(file)) throw new FileNotFoundException(file + ": file does not exist");
        if (!TorchFile.looksLikeTorch(file))
            throw new IllegalArgumentException(file + ": a state-dict key ('" + key + "') applies only to PyTorch checkpoints");
        return new WeightFile(file.toString(), null, TorchFile.open(file, key), null);
    }

    private static WeightFile open(Path file, String describe, Path temp) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (!Files.exists(file)) throw new FileNotFoundException(describe + ": file does not exist");
        if (TorchFile.looksLikeTorch(file)) {
            TorchFile t = temp == null ? TorchFile.open(file) : openTorch(file, describe);
            return new WeightFile(describe, null, t, temp);
        }
        return new WeightFile(describe, Safetensors.read(file), null, temp);
    }

    private static TorchFile openTorch(Path file, String describe) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return TorchFile.open(in, describe); // names the stream in messages; makes (and deletes) its own copy
        }
    }

    /** Reads weights from {@code in} (not closed); {@code name} stands for the source in messages. */
    public static WeightFile open(InputStream in, String name) throws IOException {
        if (in == null) throw new IllegalArgumentException("input stream is null");
        Path tmp = Files.createTempFile("efficientnet-weights-", ".tmp");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return open(tmp, name, tmp);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Reads weights from classpath resource {@code resource} (e.g. {@code "/weights/b0.safetensors"}),
     * looked up through the thread's context class loader, then this class's.
     */
    public static WeightFile openResource(String resource) throws IOException {
        if (resource == null || resource.isEmpty()) throw new IllegalArgumentException("resource name is empty");
        String bare = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        InputStream in = cl == null ? null : cl.getResourceAsStream(bare);
        if (in == null) in = WeightFile.class.getResourceAsStream("/" + bare);
        if (in == null) throw new FileNotFoundException("classpath resource " + resource + " not found");
        try (InputStream s = in) {
            return open(s, "classpath:" + resource);
        }
    }

    /** The format. */
    public Format format() {
        return torch != null ? Format.PYTORCH : Format.SAFETENSORS;
    }

    /** The source for messages (path, or the name given for a stream/resource). */
    public String describe() {
        return describe;
    }

    /** Tensor names in file order. */
    public List<String> names() {
        return torch != null ? torch.names() : safetensors.names();
    }

    /** Shape of tensor {@code name}. */
    public int[] shape(String name) {
        return torch != null ? torch.shape(name) : safetensors.shape(name);
    }

    /** Values of {@code name} as float32, row-major. */
    public float[] floats(String name) throws IOException {
        return torch != null ? torch.getFloats(name) : safetensors.getFloats(name);
    }

    /**
     * The file's metadata: safetensors {@code __metadata__}, or a PyTorch training checkpoint's
     * top-level scalars ({@code epoch}, {@code arch}, ...).
     */
    public Map<String, String> metadata() {
        return torch != null ? torch.metadata() : safetensors.metadata();
    }

    @Override
    public void close() throws IOException {
        try {
            if (torch != null) torch.close();
        } finally {
            if (temp != null) deleteQuietly(temp);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            p.toFile().deleteOnExit(); // Windows keeps mapped files; removed when the JVM exits
        }
    }

    @Override
    public String toString() {
        return "WeightFile[" + describe + ", " + format() + ", " + names().size() + " tensors]";
    }
}
