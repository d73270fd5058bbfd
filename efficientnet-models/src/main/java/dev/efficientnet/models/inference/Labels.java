package dev.efficientnet.models.inference;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Class-label files: UTF-8 text with one label per line, line {@code i} (from 0) naming class
 * {@code i} (the format of the common {@code imagenet_classes.txt}). Surrounding whitespace is
 * trimmed, trailing empty lines are ignored; an empty line between labels is an error.
 */
public final class Labels {
    private Labels() {
    }

    /**
     * Reads a labels file.
     *
     * @param file the file
     * @throws IOException              if the file is missing or unreadable (the message names it)
     * @throws IllegalArgumentException if it holds no labels, has an empty line between labels or
     *                                  is not UTF-8 text (the message names the file and line)
     * @return the labels, one per class
     */
    public static List<String> read(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("file is null");
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "labels file does not exist");
        if (Files.isDirectory(file)) throw new IOException("labels " + file + ": is a directory, not a file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("labels " + file + ": not UTF-8 text", e);
        }
        return parse(lines, file.toString());
    }

    /**
     * Parses labels from lines (see the class comment); {@code source} names them in errors.
     *
     * @param lines the lines
     * @param source the source (file or description)
     * @return the labels, one per class
     */
    public static List<String> parse(List<String> lines, String source) {
        if (lines == null) throw new IllegalArgumentException("lines is null");
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).strip().isEmpty()) end--;
        if (end == 0) throw new IllegalArgumentException("labels " + source + " holds no labels");
        List<String> out = new ArrayList<>(end);
        for (int i = 0; i < end; i++) {
            String l = lines.get(i);
            if (i == 0 && l.startsWith("\uFEFF")) l = l.substring(1);
            l = l.strip();
            if (l.isEmpty()) throw new IllegalArgumentException("labels " + source + ": line " + (i + 1) + " is empty");
            out.add(l);
        }
        return List.copyOf(out);
    }
}
