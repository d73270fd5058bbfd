package dev.efficientnet.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sanity checks of a training set's labels before a model is sized from them. The class count of
 * IDX and integer-labelled CSV data is {@code max label + 1}, so one mistyped row ("49999") would
 * silently build a 50,000-class model, and a one-class data set would "train" to 100 %. Refused
 * (a {@link DataException} with the numbers): fewer than two classes present; labels that run far
 * beyond the classes that occur (more than twice as many classes as distinct labels, and more than
 * {@value #MAX_EMPTY_CLASSES} empty ones). A few empty classes are legitimate (a subset of a
 * labelled set) and only produce a warning.
 */
public final class LabelCheck {
    /** Empty classes tolerated (with a warning) whatever the ratio. */
    public static final int MAX_EMPTY_CLASSES = 10;

    private LabelCheck() {
    }

    /**
     * Checks the labels of {@code train} (read from {@code source}); returns a warning ("" if none).
     * Datasets whose labels cannot be read without decoding images are not checked.
     *
     * @throws DataException if the labels cannot train a classifier (see the class comment)
     */
    public static String check(Path source, Dataset train) throws DataException {
        int n = train.size();
        int k = train.numClasses();
        if (n == 0 || k <= 0) return "";
        long[] counts = new long[k];
        int[] first = new int[k];
        for (int i = 0; i < n; i++) {
            int label = label(train, i);
            if (label < 0) return "";
            if (label >= k) continue;
            if (counts[label]++ == 0) first[label] = i;
        }
        int distinct = 0;
        for (long c : counts) if (c > 0) distinct++;
        if (distinct < 2) {
            int only = 0;
            while (only < k && counts[only] == 0) only++;
            throw new DataException(source, String.format(Locale.ROOT,
                    "all %,d training examples have the same label (%s): a classifier needs at least 2 classes", n, name(train, only)));
        }
        int empty = k - distinct;
        if (empty > MAX_EMPTY_CLASSES && k > 2 * distinct) {
            int max = k - 1;
            while (max > 0 && counts[max] == 0) max--;
            throw new DataException(source, String.format(Locale.ROOT,
                    "labels run up to %s, which makes a %,d-class model, but only %d distinct labels occur; label %s appears in %d example(s)"
                            + " (the first is example %d) - a mistyped label? Fix it (the classes are 0..max label)",
                    name(train, max), k, distinct, name(train, max), counts[max], first[max] + 1));
        }
        if (empty > 0) {
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < k && missing.size() < 5; c++) if (counts[c] == 0) missing.add(name(train, c));
            return String.format(Locale.ROOT, "warning: %d of the %d classes have no training examples (e.g. %s)", empty, k,
                    String.join(", ", missing));
        }
        return "";
    }

    private static int label(Dataset d, int i) {
        if (d instanceof IdxDataset idx) return idx.label(i);
        if (d instanceof ImageFileDataset f) return f.label(i);
        return -1;
    }

    private static String name(Dataset d, int c) {
        if (d instanceof ImageFileDataset f && c < f.classes().size()) {
            String s = f.classes().get(c);
            return s.equals(Integer.toString(c)) ? s : "'" + s + "'";
        }
        return Integer.toString(c);
    }
}
