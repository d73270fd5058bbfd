package dev.efficientnet.train.checkpoint;

import dev.efficientnet.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Picks the checkpoint of a run folder, so commands that read weights accept the folder itself.
 * The order: {@code fixres.safetensors} (the final weights after the FixRes step, which the run was
 * asked to make), else {@code last.safetensors} (the final weights, or the latest of an unfinished
 * run), else {@code best.safetensors}. {@code best} is never preferred: it is the epoch with the best
 * <em>test</em> accuracy, chosen on the test set itself, so its accuracy there is optimistic.
 */
public final class RunCheckpoints {
    private RunCheckpoints() {
    }

    /**
     * The checkpoint to use and a one-line explanation of the choice.
     *
     * @param file   the chosen file
     * @param reason why it was chosen and what else the folder holds (null when a file was given)
     */
    public record Choice(Path file, String reason) {
    }

    /**
     * Resolves {@code path}: a file is returned as it is; a run folder gives its checkpoint as
     * described in the class comment.
     *
     * @throws IOException naming the folder when it holds no checkpoint
     */
    public static Choice resolve(Path path) throws IOException {
        if (!Files.isDirectory(path)) return new Choice(path, null);
        Path fixres = path.resolve(Trainer.FIXRES_CHECKPOINT);
        Path last = path.resolve(Checkpoints.LAST);
        Path best = path.resolve(Checkpoints.BEST);
        List<String> others = new ArrayList<>();
        Path chosen;
        String why;
        if (Files.isRegularFile(fixres)) {
            chosen = fixres;
            Object size = null;
            try {
                size = Checkpoints.readConfig(fixres).get("fixres_size");
            } catch (IOException | RuntimeException ignored) {
                // the size is only for the message
            }
            why = "the final weights after the FixRes step" + (size == null ? "" : " (tuned at " + size + " px)");
        } else if (Files.isRegularFile(last)) {
            chosen = last;
            why = "the final weights" + progress(last);
        } else if (Files.isRegularFile(best)) {
            chosen = best;
            why = "the only checkpoint; the epoch with the best test accuracy, so that accuracy is optimistic";
        } else {
            throw new IOException(path + " is a folder without a checkpoint (" + Trainer.FIXRES_CHECKPOINT + ", "
                    + Checkpoints.LAST + " or " + Checkpoints.BEST + ")");
        }
        for (Path p : List.of(fixres, last, best))
            if (!p.equals(chosen) && Files.isRegularFile(p)) others.add(p.getFileName().toString());
        String reason = "using " + chosen + ": " + why
                + (others.isEmpty() ? "" : "; pass " + String.join(" or ", others) + " in the folder to use " + (others.size() == 1 ? "it" : "them") + " instead");
        return new Choice(chosen, reason);
    }

    /** ", epoch E of N" (and "unfinished run") from a checkpoint's state and config, or "". */
    private static String progress(Path file) {
        try {
            TrainState s = Checkpoints.readState(file);
            Map<String, Object> cfg = Checkpoints.readConfig(file);
            Object epochs = cfg.get("epochs");
            if (epochs instanceof Number n) {
                int total = n.intValue();
                int done = s.epoch();
                return done >= total ? " (all " + total + " epochs)"
                        : " (an unfinished run: " + done + " of " + total + " epochs done)";
            }
        } catch (IOException | RuntimeException ignored) {
            // progress is only for the message
        }
        return "";
    }
}
