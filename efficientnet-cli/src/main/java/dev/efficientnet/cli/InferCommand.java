package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.OutputPaths;
import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsException;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Conformance;
import dev.efficientnet.models.weights.LoadResult;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.WeightLoadException;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet infer ARCH --weights W --input IN --output OUT}: runs a model on tensors from
 * a safetensors file and writes the results to another, for cross-checking against PyTorch and for
 * other tools. The file contract:
 * <ul>
 *   <li>{@code IN} holds {@code input} (float32 {@code N×C×H×W}, any H and W) and, for
 *       {@code --train-step}, {@code target} (class indices stored as floats, {@code [N]}, or
 *       per-sample distributions {@code [N, classes]}); other tensors are ignored;</li>
 *   <li>{@code W} holds weights in timm, torchvision or native naming (detected);</li>
 *   <li>eval (default): {@code OUT} gets {@code logits} and {@code features} (pooled pre-logits);</li>
 *   <li>{@code --train-step}: one train-mode step (BN batch statistics, no dropout, no drop path,
 *       mean cross-entropy on {@code target}, backward, no optimizer step); {@code OUT} gets
 *       {@code train_logits}, {@code loss} ({@code [1]}), {@code grad.<name>} for every parameter
 *       and {@code after.<name>} for every BN running mean/var, named in the naming of {@code W}
 *       (with its key prefix, if any) and in that naming's tensor layout.</li>
 * </ul>
 * Exit 0 on success; any bad input (missing or corrupt file, missing tensor, wrong shape, weights
 * that do not fit, unknown ARCH, non-finite input) prints one line on stderr and exits 2.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        header = "Run a model on tensors from a safetensors file (eval outputs or one train step).",
        description = {"Reads 'input' (float32 N x 3 x H x W, any H and W) from --input, runs ARCH",
                "with the weights of --weights (timm, torchvision or native naming, detected)",
                "and writes to --output:",
                "  eval (default): 'logits' and 'features' (pooled pre-logits);",
                "  --train-step: one train-mode step (BN batch statistics, no dropout or",
                "    drop path, mean cross-entropy on 'target' = class indices as floats,",
                "    backward): 'train_logits', 'loss' [1], 'grad.<name>' of every parameter",
                "    and 'after.<name>' of every BN running mean/var, named as in --weights.",
                "--weights may also be a training checkpoint (its EMA weights; shape from its config) or",
                "a run folder (fixres, else last, else best checkpoint; the choice is printed on stderr).",
                "--weights, --input and --output are required. Any bad input exits 2 with a",
                "one-line message on stderr."})
public final class InferCommand extends CliCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    // Numbers are parsed here rather than by picocli, so a bad value is a one-line error (exit 2)
    // instead of picocli's message plus usage: tools rely on this command's error contract.
    @Option(names = "--width-mult", paramLabel = "W", description = "Channel multiplier replacing the preset's.")
    String widthMult;

    @Option(names = "--depth-mult", paramLabel = "D", description = "Depth (repeat) multiplier replacing the preset's.")
    String depthMult;

    @Option(names = "--num-classes", paramLabel = "N", description = "Classifier outputs (default: the preset's).")
    String numClasses;

    @Unmatched
    List<String> unmatched;

    @picocli.CommandLine.Mixin
    PretrainedOption pretrained = new PretrainedOption();

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "Weights (timm, torchvision or native naming), a training checkpoint or a run folder. Required.")
    Path weights;

    @Option(names = "--input", paramLabel = "IN.safetensors", description = "Holds 'input' and, for --train-step, 'target'. Required.")
    Path input;

    @Option(names = "--output", paramLabel = "OUT.safetensors", description = "Where to write the results (replaced atomically). Required.")
    Path output;

    @Option(names = "--train-step", description = "Run one training step instead of eval inference.")
    boolean trainStep;

    @Option(names = "--bn-momentum", paramLabel = "M",
            description = "BN running-statistics momentum in the PyTorch convention, in (0, 1] (default: the preset's).")
    String bnMomentum;

    /** Creates the command. */
    public InferCommand() {
    }

    @Override
    protected int execute() {
        if (unmatched != null && !unmatched.isEmpty())
            throw CliException.usage("unknown option or extra argument " + unmatched + "; see 'efficientnet infer --help'");
        if (arch == null) throw CliException.usage("missing ARCH (e.g. efficientnet_b0); see 'efficientnet infer --help'");
        weights = pretrained.resolve(arch, "--weights", weights, err());
        weights = CheckpointWeights.resolve("--weights", weights, err());
        weights = dev.efficientnet.cli.safety.InputFiles.materialize("--weights", weights, err());
        input = dev.efficientnet.cli.safety.InputFiles.materialize("--input", input, err());
        TrainedModel trained = null;
        ModelSpec spec;
        if (CheckpointWeights.isCheckpoint(weights)) {   // a training checkpoint: the shape comes from its config
            trained = CheckpointWeights.load("--weights", weights, arch, number("--width-mult", widthMult),
                    number("--depth-mult", depthMult), integer("--num-classes", numClasses), false);
            spec = trained.model().spec();
        } else {
            spec = Architectures.resolve(arch, new ModelOptions(number("--width-mult", widthMult),
                    number("--depth-mult", depthMult), integer("--num-classes", numClasses)));
        }
        if (bnMomentum != null) {
            double m = number("--bn-momentum", bnMomentum);
            if (!(m > 0 && m <= 1))
                throw CliException.usage("--bn-momentum must be in (0, 1] (PyTorch convention), got " + bnMomentum);
            spec = spec.withBatchNorm(spec.bnEps(), m);
        }
        requireFile("--weights", weights);
        requireFile("--input", input);
        requireOutput(output);
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("--weights", weights);
        inputs.put("--input", input);
        OutputPaths.requireDistinct("--output", output, inputs);
        if (trainStep && spec.numClasses() < 1)
            throw CliException.usage("--train-step needs a classifier, but the model has 0 classes (--num-classes)");

        // read and check the inputs before building the model
        SafetensorsFile in = openSafetensors("--input", input);
        Tensor x = readInput(in, spec);
        Tensor target = trainStep ? readTarget(in, spec, x.dim(0)) : null;
        if (x.dim(2) == x.dim(3)) {
            dev.efficientnet.cli.safety.Preflight.requireSize("--input " + input + ": image size " + x.dim(2), spec, x.dim(2));
            dev.efficientnet.cli.safety.MemoryBudget.require("infer", trainStep
                    ? dev.efficientnet.cli.safety.MemoryBudget.training(spec, x.dim(0), x.dim(2), 0, false, false, 0)
                    : dev.efficientnet.cli.safety.MemoryBudget.inference(spec, x.dim(0), x.dim(2)),
                    "use a smaller input batch or model, or give the JVM more memory");
        }

        Loaded loaded = trained != null ? CheckpointWeights.loaded(trained, spec) : loadModel(spec, weights);
        Naming naming = loaded.result().naming();
        String prefix = loaded.result().prefix();
        Map<String, Tensor> results;
        try {
            results = trainStep ? trainStep(loaded.model(), x, target, naming, prefix) : eval(loaded.model(), x);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--input " + input + ": " + oneLine(e.getMessage()));
        }

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("arch", spec.name());
        meta.put("mode", trainStep ? "train_step" : "eval");
        meta.put("naming", naming.id());
        try {
            Safetensors.write(output, results, meta);
        } catch (IOException e) {
            throw CliException.usage("--output " + output + ": cannot write: " + oneLine(e.getMessage()));
        }
        if (trainStep) {
            long grads = results.keySet().stream().filter(k -> k.startsWith(Conformance.GRAD)).count();
            long stats = results.keySet().stream().filter(k -> k.startsWith(Conformance.AFTER)).count();
            out().printf(Locale.ROOT, "train step of %s on %s: loss %.6g, %d gradients, %d running statistics (%s naming) -> %s%n",
                    spec.name(), Arrays.toString(x.shape()), results.get(Conformance.LOSS).item(), grads, stats, naming.id(), output);
        } else {
            out().printf(Locale.ROOT, "eval of %s on %s: logits %s, features %s -> %s%n", spec.name(), Arrays.toString(x.shape()),
                    Arrays.toString(results.get(Conformance.LOGITS).shape()), Arrays.toString(results.get(Conformance.FEATURES).shape()), output);
        }
        return 0;
    }

    private static Map<String, Tensor> eval(EfficientNet net, Tensor x) {
        net.eval();
        float[] logits;
        float[] features;
        int[] logitsShape;
        int[] featuresShape;
        try (GradMode g = GradMode.disabled(); MemoryScope scope = MemoryScope.open()) {
            Tensor f = net.forwardPreLogits(x);
            Tensor l = net.forwardHead(f);
            features = f.toFloatArray();
            featuresShape = f.shape();
            logits = l.toFloatArray();
            logitsShape = l.shape();
        }
        long bad = 0;
        for (float v : logits) if (!Float.isFinite(v)) bad++;
        if (bad > 0)
            throw new CliException(CliException.FAILURE, "the model produced " + bad + " NaN/Inf logits out of " + logits.length
                    + "; --output not written (check --weights and --input)");
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(Conformance.LOGITS, Tensor.of(logits, logitsShape));
        out.put(Conformance.FEATURES, Tensor.of(features, featuresShape));
        return out;
    }

    private static Map<String, Tensor> trainStep(EfficientNet net, Tensor x, Tensor target, Naming naming, String prefix) {
        Map<String, Tensor> step = Conformance.trainStep(net, x, target, naming);
        if (prefix.isEmpty()) return step;
        // keep the checkpoint's key prefix (e.g. 'module.') so names match W exactly
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : step.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(Conformance.GRAD)) k = Conformance.GRAD + prefix + k.substring(Conformance.GRAD.length());
            else if (k.startsWith(Conformance.AFTER)) k = Conformance.AFTER + prefix + k.substring(Conformance.AFTER.length());
            out.put(k, e.getValue());
        }
        return out;
    }

    private static Double number(String option, String value) {
        if (value == null) return null;
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(option + ": '" + value + "' is not a number");
        }
    }

    private static Integer integer(String option, String value) {
        if (value == null) return null;
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(option + ": '" + value + "' is not an integer");
        }
    }

    // ---- inputs -------------------------------------------------------------------------------

    private Tensor readInput(SafetensorsFile in, ModelSpec spec) {
        int[] s = requireTensor(in, "input");
        String what = "--input " + input + ": tensor 'input' ";
        int c = spec.inChannels();
        if (s.length != 4)
            throw CliException.usage(what + "must be N x " + c + " x H x W (rank 4), got shape " + Arrays.toString(s));
        if (s[1] != c)
            throw CliException.usage(what + "has " + s[1] + " channels (shape " + Arrays.toString(s) + "), " + spec.name() + " takes " + c);
        if (s[0] < 1) throw CliException.usage(what + "has a batch of 0 (shape " + Arrays.toString(s) + ")");
        if (s[2] < 1 || s[3] < 1) throw CliException.usage(what + "has an empty image (shape " + Arrays.toString(s) + ")");
        float[] v = floats(in, "input");
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                int w = s[3], h = s[2];
                throw CliException.usage(what + "holds " + v[i] + " at [" + (i / w / h / c) + ", " + (i / w / h % c) + ", "
                        + (i / w % h) + ", " + (i % w) + "]; inputs must be finite");
            }
        }
        return Tensor.of(v, s);
    }

    private Tensor readTarget(SafetensorsFile in, ModelSpec spec, int batch) {
        int[] s = requireTensor(in, "target");
        String what = "--input " + input + ": tensor 'target' ";
        int k = spec.numClasses();
        boolean indices = s.length == 1 && s[0] == batch;
        boolean distributions = s.length == 2 && s[0] == batch && s[1] == k;
        if (!indices && !distributions)
            throw CliException.usage(what + "must be class indices [" + batch + "] (or distributions [" + batch + ", " + k
                    + "]) for an input batch of " + batch + ", got shape " + Arrays.toString(s));
        float[] v = floats(in, "target");
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw CliException.usage(what + "holds " + v[i] + " at index " + i);
            if (indices && (v[i] != Math.rint(v[i]) || v[i] < 0 || v[i] >= k))
                throw CliException.usage(what + "holds " + v[i] + " at index " + i + ", not a class index in [0, " + k + ")");
        }
        return Tensor.of(v, s);
    }

    private int[] requireTensor(SafetensorsFile in, String name) {
        if (!in.contains(name)) {
            List<String> names = in.names();
            throw CliException.usage("--input " + input + " has no tensor '" + name + "'"
                    + (name.equals("target") ? " (needed by --train-step)" : "") + "; it holds " + abbreviate(names, 8));
        }
        return in.shape(name);
    }

    private float[] floats(SafetensorsFile in, String name) {
        try {
            return in.getFloats(name);
        } catch (SafetensorsException e) {
            throw CliException.usage("--input " + oneLine(e.getMessage()));
        }
    }

    // ---- shared with PredictCommand --------------------------------------------------------------

    /** A model with its weights loaded. */
    record Loaded(EfficientNet model, LoadResult result) {
    }

    /**
     * Builds {@code spec} and loads {@code weights} strictly; every problem (corrupt file, unknown
     * naming, keys or shapes that do not fit) is a one-line usage error naming the file.
     */
    static Loaded loadModel(ModelSpec spec, Path weights) {
        EfficientNet net;
        try {
            net = EfficientNet.create(spec);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(spec.name() + ": " + oneLine(e.getMessage()));
        }
        try {
            Loaded loaded = new Loaded(net, Weights.load(net, weights));
            java.util.List<String> bad = dev.efficientnet.cli.safety.FiniteValues.problems(net.stateDict());
            if (!bad.isEmpty())
                throw CliException.usage("--weights " + weights + " holds invalid values: " + dev.efficientnet.cli.safety.FiniteValues.summary(bad));
            return loaded;
        } catch (WeightLoadException e) {
            throw CliException.usage(describe(e, spec, weights));
        } catch (SafetensorsException | dev.efficientnet.core.io.torch.TorchFormatException e) {
            throw CliException.usage("--weights " + oneLine(e.getMessage()));
        } catch (IOException e) {
            throw CliException.usage("--weights " + weights + ": cannot read: " + oneLine(String.valueOf(e.getMessage())));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--weights " + oneLine(e.getMessage()));
        }
    }

    private static String describe(WeightLoadException e, ModelSpec spec, Path weights) {
        StringBuilder sb = new StringBuilder("--weights ").append(weights).append(" (").append(e.naming().id())
                .append(" naming) does not fit ").append(spec.name()).append(String.format(Locale.ROOT,
                        " (width %s, depth %s, %d classes):", spec.widthMult(), spec.depthMult(), spec.numClasses()));
        if (!e.mismatched().isEmpty())
            sb.append(' ').append(e.mismatched().size()).append(" shape mismatches ").append(abbreviate(e.mismatched(), 3)).append(';');
        if (!e.missing().isEmpty())
            sb.append(' ').append(e.missing().size()).append(" missing ").append(abbreviate(e.missing(), 3)).append(';');
        if (!e.unexpected().isEmpty())
            sb.append(' ').append(e.unexpected().size()).append(" unexpected ").append(abbreviate(e.unexpected(), 3)).append(';');
        sb.append(" check ARCH, --width-mult, --depth-mult and --num-classes");
        try (dev.efficientnet.models.weights.WeightFile wf = dev.efficientnet.models.weights.WeightFile.open(weights)) {
            Map<String, String> meta = wf.metadata();
            StringBuilder m = new StringBuilder();
            for (String k : new String[]{"preset", "width_mult", "depth_mult", "num_classes"})
                if (meta.containsKey(k)) m.append(m.length() == 0 ? "" : ", ").append(k).append('=').append(meta.get(k));
            if (m.length() > 0) sb.append(" (the file's metadata says ").append(m).append(')');
        } catch (IOException | RuntimeException ignored) {
            // the hint is optional
        }
        return oneLine(sb.toString());
    }

    /** Checks that {@code option}'s file was given and is a readable regular file. */
    static void requireFile(String option, Path file) {
        if (file == null) throw CliException.usage("missing " + option + " FILE");
        if (!Files.exists(file)) throw CliException.usage(option + " " + file + ": file does not exist");
        if (Files.isDirectory(file)) throw CliException.usage(option + " " + file + ": is a directory, not a file");
        if (!Files.isReadable(file)) throw CliException.usage(option + " " + file + ": file is not readable");
    }

    private static void requireOutput(Path file) {
        if (file == null) throw CliException.usage("missing --output FILE");
        if (Files.isDirectory(file)) throw CliException.usage("--output " + file + ": is a directory, not a file");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
            throw CliException.usage("--output " + file + ": directory " + parent + " does not exist");
    }

    private static SafetensorsFile openSafetensors(String option, Path file) {
        try {
            return Safetensors.read(file);
        } catch (SafetensorsException e) {
            throw CliException.usage(option + " " + oneLine(e.getMessage()));
        } catch (IOException e) {
            throw CliException.usage(option + " " + file + ": cannot read: " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    /** The first {@code n} items and how many more. */
    static String abbreviate(List<String> items, int n) {
        if (items.size() <= n) return items.toString();
        return items.subList(0, n).toString().replaceFirst("]$", ", ... " + (items.size() - n) + " more]");
    }

    /** {@code message} on one line, at most 2000 characters. */
    static String oneLine(String message) {
        String s = message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }
}
