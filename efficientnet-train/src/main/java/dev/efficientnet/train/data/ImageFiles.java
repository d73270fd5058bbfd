package dev.efficientnet.train.data;

import dev.efficientnet.models.image.ImageReadException;
import dev.efficientnet.models.image.Images;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Shared helpers for file-based datasets: decoding to [0, 1] HWC floats with 1 or 3 channels. */
final class ImageFiles {
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "wbmp");

    private ImageFiles() {
    }

    static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) return false;
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static void checkChannels(int channels) {
        if (channels != 1 && channels != 3)
            throw new IllegalArgumentException("channels must be 1 (grayscale) or 3 (RGB), got " + channels);
    }

    /**
     * Decodes {@code file} as RGB and converts it to [0, 1] with {@code channels} channels (1: the ITU-R
     * 601-2 luma that PIL's {@code convert("L")} uses).
     */
    static Example read(Path file, int channels, int label) throws DataException {
        float[] rgb;
        int w, h;
        try {
            var img = Images.read(file);
            rgb = img.toArray();
            w = img.width();
            h = img.height();
        } catch (ImageReadException e) {
            throw DataException.wrapping(file, e);
        }
        int n = w * h;
        if (channels == 3) {
            for (int i = 0; i < rgb.length; i++) rgb[i] *= 1f / 255f;
            return new Example(rgb, h, w, 3, label);
        }
        float[] g = new float[n];
        for (int i = 0; i < n; i++)
            g[i] = (rgb[3 * i] * 0.299f + rgb[3 * i + 1] * 0.587f + rgb[3 * i + 2] * 0.114f) * (1f / 255f);
        return new Example(g, h, w, 1, label);
    }
}
