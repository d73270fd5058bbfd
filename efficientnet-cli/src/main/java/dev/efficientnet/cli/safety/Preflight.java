package dev.efficientnet.cli.safety;

import dev.efficientnet.cli.CliException;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.progressive.Stage;

/**
 * Checks every value of a training run before anything is built or trained: each stage's image
 * size and batch against the model and the data, the evaluation (FixRes) size, and the memory the
 * largest stage, the final evaluation and the FixRes step need ({@link MemoryBudget}). A value that
 * would only fail at the end of training (and then break every resume) is refused up front.
 */
public final class Preflight {
    private static final String HINT = "use a smaller --batch, --max-size/--eval-resolution or model, or give the JVM more memory";

    private Preflight() {
    }

    /**
     * Throws a usage error naming the option if {@code cfg} cannot run on {@code trainExamples}
     * training examples in this process.
     */
    public static void train(TrainConfig cfg, int trainExamples, boolean checkpointActivations) {
        ModelSpec spec;
        try {
            spec = cfg.modelSpec();
            spec.params();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw CliException.usage("the model: " + e.getMessage());
        }
        int slots = cfg.optimizer() == OptimizerKind.SGD ? 1 : 2;
        boolean ema = cfg.emaDecay() > 0;
        MemoryBudget.Need worst = null;
        for (Stage s : cfg.schedule().stages()) {
            int size = s.imageSize();
            int batch = s.batchSizeOr(cfg.batchSize());
            if (batch > trainExamples)
                throw CliException.usage("--batch " + batch + " exceeds the " + trainExamples
                        + " training examples (an epoch needs at least one full batch); use --batch " + trainExamples + " or less");
            requireSize("image size " + size + " (--min-size/--max-size)", spec, size);
            MemoryBudget.Need n = MemoryBudget.training(spec, batch, size, slots, ema, checkpointActivations, cfg.workers() + 2);
            if (worst == null || n.offHeapBytes() > worst.offHeapBytes()) worst = n;
        }
        if (worst != null) MemoryBudget.require("training", worst, HINT);
        int finalSize = cfg.finalSize();
        MemoryBudget.require("the evaluation at " + finalSize + "px", MemoryBudget.inference(spec, cfg.batchSize(), finalSize), HINT);
        if (cfg.evalResolution() > 0) {
            requireSize("--eval-resolution " + cfg.evalResolution(), spec, cfg.evalResolution());
            MemoryBudget.Need fix = cfg.fixresSteps() > 0 && cfg.fixresClassifier()
                    ? MemoryBudget.training(spec, cfg.batchSize(), cfg.evalResolution(), slots, false, false, 1)
                    : MemoryBudget.inference(spec, cfg.batchSize(), cfg.evalResolution());
            MemoryBudget.require("--eval-resolution " + cfg.evalResolution() + " (run after the last epoch)", fix, HINT);
        }
    }

    /** Usage error {@code what: message} if {@code spec} cannot take {@code size}² px inputs. */
    public static void requireSize(String what, ModelSpec spec, int size) {
        if (size < 1) throw CliException.usage(what + ": must be >= 1");
        try {
            spec.summary(size);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw CliException.usage(what + ": " + e.getMessage());
        }
    }
}
