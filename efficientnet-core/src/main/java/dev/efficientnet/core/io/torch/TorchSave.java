package dev.efficientnet.core.io.torch;

import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.core.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict of float32 tensors as a {@code torch.save} archive (zip, pickle protocol 2,
 * an {@code OrderedDict} of contiguous {@code FloatStorage} tensors), loadable by
 * {@code torch.load(f, weights_only=True)} and by {@link TorchFile}. Atomic (through
 * {@link AtomicFiles}). Each tensor must fit in 2 GiB.
 */
public final class TorchSave {
    private TorchSave() {
    }

    /** Writes {@code tensors} (in iteration order, as float32) to {@code file} as a PyTorch state dict. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        if (file == null || tensors == null) throw new IllegalArgumentException("file and tensors are required");
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("null name or tensor");
            values.put(e.getKey(), e.getValue().toFloatArray());
            shapes.put(e.getKey(), e.getValue().shape());
        }
        write(file, values, shapes);
    }

    /** Writes raw row-major float32 values with their shapes (same keys, same order). */
    public static void write(Path file, Map<String, float[]> values, Map<String, int[]> shapes) throws IOException {
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9_]", "_");
        String prefix = (stem.isEmpty() ? "archive" : stem) + "/";
        byte[] pickle = pickle(values, shapes);
        AtomicFiles.write(file, ch -> {
            OutputStream os = Channels.newOutputStream(ch);
            ZipOutputStream zip = new ZipOutputStream(os);
            stored(zip, prefix + "data.pkl", pickle);
            stored(zip, prefix + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int i = 0;
            for (float[] v : values.values()) {
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                stored(zip, prefix + "data/" + i++, bb.array());
            }
            stored(zip, prefix + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
            zip.flush();
        });
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The protocol-2 pickle of an OrderedDict of tensors whose storages are keys "0", "1", ... */
    static byte[] pickle(Map<String, float[]> values, Map<String, int[]> shapes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        global(out, "collections", "OrderedDict");
        out.write(')'); // EMPTY_TUPLE
        out.write('R'); // REDUCE
        List<String> names = new ArrayList<>(values.keySet());
        if (!names.isEmpty()) out.write('(');
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int[] shape = shapes.get(name);
            long numel = 1;
            for (int d : shape) numel *= d;
            if (numel != values.get(name).length)
                throw new IllegalArgumentException("tensor '" + name + "': shape does not match its " + values.get(name).length + " values");
            unicode(out, name);
            global(out, "torch._utils", "_rebuild_tensor_v2");
            out.write('(');
            out.write('(');
            unicode(out, "storage");
            global(out, "torch", "FloatStorage");
            unicode(out, Integer.toString(i));
            unicode(out, "cpu");
            integer(out, numel);
            out.write('t');
            out.write('Q'); // BINPERSID
            integer(out, 0);
            out.write('(');
            for (int d : shape) integer(out, d);
            out.write('t');
            out.write('(');
            long stride = 1;
            long[] strides = new long[shape.length];
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= shape[d];
            }
            for (long s : strides) integer(out, s);
            out.write('t');
            out.write(0x89); // NEWFALSE
            global(out, "collections", "OrderedDict");
            out.write(')');
            out.write('R');
            out.write('t');
            out.write('R');
        }
        if (!names.isEmpty()) out.write('u'); // SETITEMS
        out.write('.');
        return out.toByteArray();
    }

    private static void global(ByteArrayOutputStream out, String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream out, long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            out.write(0x8a); // LONG1, 8 bytes
            out.write(8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }
}
