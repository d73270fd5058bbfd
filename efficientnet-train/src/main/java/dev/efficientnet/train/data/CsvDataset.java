package dev.efficientnet.train.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Images listed in a UTF-8 CSV file of {@code path,label} rows.
 *
 * <ul>
 *   <li>An optional header row is recognized by its first field ({@code path}, {@code file},
 *       {@code filename}, {@code filepath}, {@code image}, {@code image_path}; any case). Blank
 *       lines and lines starting with {@code #} are skipped. Fields may be double-quoted
 *       ({@code ""} escapes a quote); surrounding spaces are trimmed.</li>
 *   <li>Paths are relative to the CSV's folder. After normalization every path must stay inside
 *       that folder: {@code ../x}, absolute paths elsewhere and similar are rejected with a
 *       {@link DataException} naming the CSV and the line, so data inside a file cannot reach other
 *       files. (The check is lexical; symbolic links placed inside the folder are followed.)
 *       Every listed file must exist when the CSV is opened.</li>
 *   <li>Labels: with an explicit class list, a label is a class name from it or an integer index
 *       into it. Without one, if every label is a non-negative integer the labels are those
 *       integers (classes "0".."max"); otherwise every label is a class name and the classes are
 *       the distinct names sorted by {@link String#compareTo}.</li>
 * </ul>
 */
public final class CsvDataset extends ImageFileDataset {
    private static final Set<String> HEADER_NAMES = Set.of("path", "file", "filename", "filepath", "file_path",
            "image", "image_path", "img", "img_path");

    private CsvDataset(Path csv, Path[] files, int[] labels, List<String> classes, int channels) {
        super(csv, classes, files, labels, channels);
    }

    /** Opens {@code csv} with RGB examples, inferring the classes from the labels. */
    public static CsvDataset open(Path csv) throws DataException {
        return open(csv, 3, null);
    }

    /**
     * Opens {@code csv}.
     *
     * @param channels   3 for RGB, 1 for grayscale
     * @param classNames the class names (index = label), or null to infer them from the labels; pass
     *                   the training set's {@link #classes()} when opening its validation set
     * @throws DataException naming the CSV (and line) for unreadable files, malformed rows, paths
     *                       that escape the CSV's folder, missing image files or unknown labels
     */
    public static CsvDataset open(Path csv, int channels, List<String> classNames) throws DataException {
        Objects.requireNonNull(csv, "csv");
        ImageFiles.checkChannels(channels);
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(csv, "file does not exist", e);
        } catch (CharacterCodingException e) {
            throw new DataException(csv, "is not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new DataException(csv, "cannot read: " + e.getMessage(), e);
        }
        Path base = csv.toAbsolutePath().normalize().getParent();
        List<Path> files = new ArrayList<>();
        List<String> rawLabels = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        boolean first = true;
        for (int ln = 1; ln <= lines.size(); ln++) {
            String line = lines.get(ln - 1);
            if (ln == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            List<String> f = split(csv, ln, line);
            if (first) {
                first = false;
                if (!f.isEmpty() && HEADER_NAMES.contains(f.get(0).toLowerCase(Locale.ROOT))) continue;
            }
            if (f.size() != 2)
                throw new DataException(csv, "line " + ln + ": expected 2 fields (path,label), found " + f.size());
            String p = f.get(0), label = f.get(1);
            if (p.isEmpty()) throw new DataException(csv, "line " + ln + ": empty path");
            if (label.isEmpty()) throw new DataException(csv, "line " + ln + ": empty label");
            Path resolved;
            try {
                resolved = base.resolve(p).normalize();
            } catch (InvalidPathException e) {
                throw new DataException(csv, "line " + ln + ": invalid path '" + p + "': " + e.getReason(), e);
            }
            if (!resolved.startsWith(base) || resolved.equals(base))
                throw new DataException(csv, "line " + ln + ": path '" + p + "' escapes the CSV's folder " + base
                        + " (paths must be relative and stay inside it)");
            if (!Files.isRegularFile(resolved))
                throw new DataException(csv, "line " + ln + ": image file " + resolved + " does not exist");
            files.add(resolved);
            rawLabels.add(label);
            lineNumbers.add(ln);
        }
        if (files.isEmpty()) throw new DataException(csv, "lists no images");
        int[] lab = new int[files.size()];
        List<String> classes;
        if (classNames != null) {
            classes = List.copyOf(classNames);
            if (classes.isEmpty()) throw new IllegalArgumentException("classNames must not be empty");
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < classes.size(); i++) index.putIfAbsent(classes.get(i), i);
            for (int i = 0; i < lab.length; i++) {
                String l = rawLabels.get(i);
                Integer c = index.get(l);
                if (c == null) {
                    Integer v = parseNonNegative(l);
                    if (v == null || v >= classes.size())
                        throw new DataException(csv, "line " + lineNumbers.get(i) + ": label '" + l
                                + "' is neither a class name nor an index in [0, " + classes.size() + ")");
                    c = v;
                }
                lab[i] = c;
            }
        } else {
            boolean allInts = true;
            int max = -1;
            for (String l : rawLabels) {
                Integer v = parseNonNegative(l);
                if (v == null) {
                    allInts = false;
                    break;
                }
                max = Math.max(max, v);
            }
            if (allInts) {
                if (max >= 1_000_000)
                    throw new DataException(csv, "label " + max + " is implausibly large for a class index");
                for (int i = 0; i < lab.length; i++) lab[i] = parseNonNegative(rawLabels.get(i));
                List<String> names = new ArrayList<>();
                for (int i = 0; i <= max; i++) names.add(Integer.toString(i));
                classes = List.copyOf(names);
            } else {
                classes = List.copyOf(new TreeSet<>(rawLabels));
                Map<String, Integer> index = new HashMap<>();
                for (int i = 0; i < classes.size(); i++) index.put(classes.get(i), i);
                for (int i = 0; i < lab.length; i++) lab[i] = index.get(rawLabels.get(i));
            }
        }
        return new CsvDataset(csv, files.toArray(new Path[0]), lab, classes, channels);
    }

    private static Integer parseNonNegative(String s) {
        if (s.isEmpty() || s.length() > 9) return null;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
        return Integer.parseInt(s);
    }

    private static List<String> split(Path csv, int ln, String line) throws DataException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0, n = line.length();
        while (true) {
            while (i < n && line.charAt(i) == ' ') i++;
            if (i < n && line.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char ch = line.charAt(i++);
                    if (ch == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        cur.append(ch);
                    }
                }
                if (!closed) throw new DataException(csv, "line " + ln + ": unterminated quoted field");
                while (i < n && line.charAt(i) == ' ') i++;
                if (i < n && line.charAt(i) != ',')
                    throw new DataException(csv, "line " + ln + ": unexpected text after a quoted field");
                out.add(cur.toString());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ',') i++;
                out.add(line.substring(start, i).strip());
            }
            cur.setLength(0);
            if (i >= n) break;
            i++; // skip the comma
            if (i >= n) {
                out.add("");
                break;
            }
        }
        return out;
    }

    @Override
    String kind() {
        return "CSV";
    }
}
