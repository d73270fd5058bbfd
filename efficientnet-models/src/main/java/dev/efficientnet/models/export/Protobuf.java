package dev.efficientnet.models.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal protocol-buffers writer (wire types 0 varint, 2 length-delimited, 5 fixed32): enough
 * to write an ONNX {@code ModelProto}. A message is a list of byte chunks, so large tensors are
 * not copied again when they are nested: {@link #size()} is known without concatenating, and
 * {@link #writeTo} streams the chunks.
 */
final class Protobuf {
    private final List<byte[]> chunks = new ArrayList<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private long size;

    /** A varint field (int32, int64, enum, bool). */
    Protobuf varint(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    /** A UTF-8 string field. */
    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-delimited field holding {@code value}. */
    Protobuf bytes(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        flush();
        chunks.add(value);
        size += value.length;
        return this;
    }

    /** A fixed32 float field. */
    Protobuf float32(int field, float value) {
        tag(field, 5);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) write((bits >>> (8 * i)) & 0xFF);
        return this;
    }

    /** An embedded message field. */
    Protobuf message(int field, Protobuf message) {
        tag(field, 2);
        rawVarint(message.size());
        flush();
        message.flush();
        chunks.addAll(message.chunks);
        size += message.size;
        return this;
    }

    /** Encoded size in bytes. */
    long size() {
        return size + pending.size();
    }

    /** Streams the encoded message. */
    void writeTo(OutputStream out) throws IOException {
        flush();
        for (byte[] c : chunks) out.write(c);
    }

    /** The encoded message (for small messages and tests). */
    byte[] toByteArray() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            writeTo(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        write((int) v);
    }

    private void write(int b) {
        pending.write(b);
    }

    private void flush() {
        if (pending.size() == 0) return;
        byte[] b = pending.toByteArray();
        pending.reset();
        chunks.add(b);
        size += b.length;
    }
}
