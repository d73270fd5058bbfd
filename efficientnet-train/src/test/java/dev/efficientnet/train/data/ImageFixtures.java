package dev.efficientnet.train.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small image files for tests. */
final class ImageFixtures {
    private ImageFixtures() {
    }

    /** A w x h RGB image whose pixel (x, y) is (r, g + x, b + y). */
    static Path png(Path file, int w, int h, int r, int g, int b) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, (r << 16) | ((g + x) << 8) | (b + y));
        String fmt = file.getFileName().toString().endsWith(".png") ? "png" : "jpg";
        if (!ImageIO.write(img, fmt, file.toFile())) throw new IOException("no writer for " + fmt);
        return file;
    }
}
