package dev.efficientnet.models.pretrained;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1,000 ImageNet-1k class names in index order, as torchvision lists them
 * ({@code torchvision/models/_meta.py}, bundled as {@code imagenet1k_classes.txt}): index 0 is
 * "tench", 999 "toilet tissue".
 */
public final class ImageNetClasses {
    private static volatile List<String> names;

    private ImageNetClasses() {
    }

    /** The class names, index order (immutable). */
    public static List<String> names() {
        List<String> n = names;
        if (n == null) {
            try (InputStream in = ImageNetClasses.class.getResourceAsStream("imagenet1k_classes.txt")) {
                if (in == null) throw new IllegalStateException("resource imagenet1k_classes.txt is missing");
                List<String> out = new ArrayList<>(1000);
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) if (!line.isEmpty()) out.add(line);
                }
                if (out.size() != 1000) throw new IllegalStateException("imagenet1k_classes.txt has " + out.size() + " names");
                names = n = List.copyOf(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }
}
