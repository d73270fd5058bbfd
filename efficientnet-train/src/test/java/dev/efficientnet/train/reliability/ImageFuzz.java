package dev.efficientnet.train.reliability;

import dev.efficientnet.models.image.ImageReadException;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.image.RgbImage;
import dev.efficientnet.train.reliability.FuzzTest.Outcome;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** PNG or JPEG target of {@link FuzzTest}: byte mutations, hostile declared sizes, a decompression bomb. */
final class ImageFuzz implements FuzzTest.Target {
    private static final int W = 24, H = 16;
    private final String format;
    private byte[] valid;
    private int headerEnd;
    private int sizeOffset; // offset of the declared size fields
    private float[] pixels;

    ImageFuzz(String format) {
        this.format = format;
    }

    @Override
    public String name() {
        return format;
    }

    @Override
    public void prepare(Path dir) throws IOException {
        Random r = new Random(3);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                img.setRGB(x, y, ((x * 10) << 16) | ((y * 15) << 8) | r.nextInt(256));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) throw new IOException("no ImageIO writer for " + format);
        valid = out.toByteArray();
        if (format.equals("png")) {
            headerEnd = 33;
            sizeOffset = 16;
        } else {
            int p = 2;
            while (p + 4 < valid.length) {
                int marker = valid[p + 1] & 0xFF;
                int len = ((valid[p + 2] & 0xFF) << 8) | (valid[p + 3] & 0xFF);
                if (marker >= 0xC0 && marker <= 0xC3) {
                    headerEnd = p + 2 + len;
                    sizeOffset = p + 5;
                    break;
                }
                p += 2 + len;
            }
            if (headerEnd == 0) throw new IOException("no SOF marker in the JPEG fixture");
        }
        Path f = dir.resolve("fixture." + format);
        Files.write(f, valid);
        pixels = Images.read(f).toArray();
    }

    @Override
    public List<String> fixedCases() {
        return format.equals("png") ? List.of("PNG bomb 10000x10000 gray (at the pixel limit)", "declared 2^31-1 x 2^31-1")
                : List.of("declared 65535x65535", "declared 0x0");
    }

    @Override
    public Outcome runFixed(String name, Path dir) throws Exception {
        Path f = dir.resolve("fixed." + format);
        switch (name) {
            case "PNG bomb 10000x10000 gray (at the pixel limit)":
                Files.write(f, pngBomb(10_000, 10_000));
                break;
            case "declared 2^31-1 x 2^31-1":
                Files.write(f, withSize(Integer.MAX_VALUE, Integer.MAX_VALUE));
                break;
            case "declared 65535x65535":
                Files.write(f, withSize(65535, 65535));
                break;
            default:
                Files.write(f, withSize(0, 0));
        }
        return read(f, false);
    }

    @Override
    public Outcome runRandom(Random r, Path dir, StringBuilder describe) throws Exception {
        Path f = dir.resolve("case." + format);
        boolean headerIntact;
        if (r.nextInt(6) == 0) {
            int[] sizes = {0, 1, 2, W + 1, H - 1, 255, 256, 4096, 10_001, 32767, 65535, 65536, 1 << 20, Integer.MAX_VALUE, -1};
            int w = sizes[r.nextInt(sizes.length)], h = sizes[r.nextInt(sizes.length)];
            describe.append("declared size ").append(w).append('x').append(h);
            Files.write(f, withSize(w, h));
            headerIntact = false;
        } else {
            Mutations.Mutated m = Mutations.mutate(valid, r, headerEnd);
            describe.append(m.description());
            Files.write(f, m.bytes());
            headerIntact = m.firstChanged() >= headerEnd;
        }
        return read(f, headerIntact);
    }

    private Outcome read(Path f, boolean headerIntact) {
        RgbImage img;
        try {
            img = Images.read(f);
        } catch (ImageReadException e) {
            FuzzTest.assertNamesFile(e, f);
            return Outcome.REJECTED;
        }
        int w = img.width(), h = img.height();
        float[] px = img.toArray();
        if (w < 1 || h < 1 || px.length != w * h * 3)
            throw new AssertionError("accepted an image of " + w + "x" + h + " with " + px.length + " values");
        for (float v : px) if (!(v >= 0 && v <= 255)) throw new AssertionError("accepted an image with sample " + v);
        if (headerIntact && (w != W || h != H))
            throw new AssertionError("size changed to " + w + "x" + h + " although the header was not touched");
        boolean same = w == W && h == H && Arrays.equals(px, pixels);
        // PNG chunks carry CRCs (checked by Images.read): corrupted pixel data must not decode silently
        if (headerIntact && !same && format.equals("png"))
            throw new AssertionError("a corrupted PNG decoded to different pixels without an error");
        return same ? Outcome.ACCEPTED : Outcome.ACCEPTED_CHANGED;
    }

    /** The fixture with another declared size (PNG: with the IHDR CRC fixed, so only the size is wrong). */
    private byte[] withSize(int w, int h) {
        byte[] b = valid.clone();
        if (format.equals("png")) {
            ByteBuffer.wrap(b).putInt(sizeOffset, w).putInt(sizeOffset + 4, h);
            CRC32 crc = new CRC32();
            crc.update(b, 12, 17);
            ByteBuffer.wrap(b).putInt(29, (int) crc.getValue());
        } else {
            ByteBuffer.wrap(b).putShort(sizeOffset, (short) h).putShort(sizeOffset + 2, (short) w);
        }
        return b;
    }

    /** A valid 8-bit grayscale PNG of zeros: a few hundred kB that decode to {@code w * h} pixels. */
    static byte[] pngBomb(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0).array());
        Deflater d = new Deflater(9);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 20];
        byte[] buf = new byte[1 << 16];
        long total = (long) h * (w + 1);
        for (long done = 0; done < total; ) {
            int n = (int) Math.min(zeros.length, total - done);
            d.setInput(zeros, 0, n);
            done += n;
            while (!d.needsInput()) z.write(buf, 0, d.deflate(buf));
        }
        d.finish();
        while (!d.finished()) z.write(buf, 0, d.deflate(buf));
        d.end();
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
