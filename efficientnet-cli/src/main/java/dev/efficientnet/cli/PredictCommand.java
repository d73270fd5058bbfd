package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.image.ImageInterpolation;
import dev.efficientnet.models.image.ImagePreprocessing;
import dev.efficientnet.models.image.ImageReadException;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.image.RgbImage;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.inference.Labels;
import dev.efficientnet.models.inference.Prediction;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.train.TrainedModel;
import dev.efficientnet.train.data.Example;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet predict ARCH --weights W [--labels L] [--top-k K] [--json] IMAGE...}: the
 * {@code K} most probable classes of each image, using the preset's eval preprocessing (resize,
 * center crop, normalization) and a {@link Classifier}. With {@code --json} the last stdout line is
 * one JSON object. An unreadable image exits 2 naming the file. Every path is checked before the
 * model is built; the images are then decoded and classified {@link #BATCH} at a time (results are
 * printed as they come), so memory stays bounded however many images there are. Named pipes and
 * process substitution are read once, as streams.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        header = "Top-k classes of image files.",
        description = {"Classifies image files (PNG, JPEG, BMP, GIF) with ARCH and the weights of",
                "--weights (timm, torchvision or native naming), using the preset's eval",
                "preprocessing (resize, center crop, normalize), and prints the --top-k most",
                "probable classes of each image with their probabilities. --labels names the",
                "classes (one per line, line i = class i). An unreadable image exits 2.",
                "--weights may also be a training checkpoint or a run folder (fixres, else last, else best",
                "checkpoint; the choice is printed on stderr): the shape, the EMA weights, the image size and",
                "the preprocessing (channels, resize, normalization) then come from the run."})
public final class PredictCommand extends CliCommand {
    /** Images per forward pass. */
    static final int BATCH = 8;

    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
    List<Path> images;

    @Mixin
    ModelOptions model;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "Weights (timm, torchvision or native naming), a training checkpoint or a run folder. Required.")
    Path weights;

    @Mixin
    PretrainedOption pretrained = new PretrainedOption();

    @Option(names = "--labels", paramLabel = "labels.txt", description = "Class names, one per line (line i names class i).")
    Path labelsFile;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--json", description = "Print one JSON object (one line) instead of the table.")
    boolean json;

    /** Creates the command. */
    public PredictCommand() {
    }

    @Override
    protected int execute() {
        requireAtLeast("--top-k", topK, 1);
        weights = pretrained.resolve(arch, "--weights", weights, err());
        maxDecodedAtOnce = 0;
        weights = CheckpointWeights.resolve("--weights", weights, err());
        weights = dev.efficientnet.cli.safety.InputFiles.materialize("--weights", weights, err());
        if (labelsFile != null) labelsFile = dev.efficientnet.cli.safety.InputFiles.materialize("--labels", labelsFile, err());
        TrainedModel trained = null;
        ModelSpec spec;
        if (CheckpointWeights.isCheckpoint(weights)) {   // a training checkpoint: shape and preprocessing from its config
            trained = CheckpointWeights.load("--weights", weights, arch, model.widthMult(), model.depthMult(), model.numClasses(), false);
            spec = trained.model().spec();
        } else {
            spec = pretrained.spec(Architectures.resolve(arch, model));
            if (spec.numClasses() < 1) throw CliException.usage("predict needs a classifier, but the model has 0 classes (--num-classes)");
            if (spec.inChannels() != 3)
                throw CliException.usage("predict reads RGB images, but " + spec.name() + " takes " + spec.inChannels() + " channels");
            InferCommand.requireFile("--weights", weights);
            dev.efficientnet.cli.safety.MemoryBudget.require("predict", dev.efficientnet.cli.safety.MemoryBudget.inference(spec,
                    Math.min(BATCH, images.size()), spec.evalResolution()), "use a smaller model or give the JVM more memory");
        }
        List<String> labels = labelsFile == null ? pretrained.labels(spec) : readLabels(spec);
        // every image is checked (exists, a file, readable) before the model is built; they are decoded
        // later, BATCH at a time, so memory stays bounded however many images there are
        for (Path p : images) requireImage(p);

        InferCommand.Loaded loaded;
        Classifier classifier;
        int size = trained != null ? trained.evalSize() : 0;
        if (trained != null) {
            loaded = CheckpointWeights.loaded(trained, spec);
            classifier = Classifier.of(loaded.model(), ImagePreprocessing.imagenet(size, 1.0, ImageInterpolation.BILINEAR), labels);
        } else {
            loaded = InferCommand.loadModel(spec, weights);
            classifier = Classifier.of(loaded.model(), labels);
        }
        List<List<Prediction>> results = new ArrayList<>(json ? images.size() : 0);
        for (int i = 0; i < images.size(); i += BATCH) {
            List<Path> chunk = images.subList(i, Math.min(images.size(), i + BATCH));
            List<RgbImage> decoded = new ArrayList<>(chunk.size());
            for (Path p : chunk) decoded.add(decode(p));
            maxDecodedAtOnce = Math.max(maxDecodedAtOnce, decoded.size());
            List<List<Prediction>> r;
            if (trained != null) {
                List<Example> batch = new ArrayList<>();
                for (RgbImage img : decoded) batch.add(example(img));
                float[] nchw = trained.preprocess(batch, size);
                r = classifier.topK(Tensor.of(nchw, batch.size(), spec.inChannels(), size, size), topK);
            } else {
                r = classifier.topKImages(decoded, topK);
            }
            decoded.clear();
            if (json) {
                results.addAll(r);
            } else {
                for (int j = 0; j < chunk.size(); j++) {
                    out().println(chunk.get(j));
                    int rank = 1;
                    for (Prediction pr : r.get(j))
                        out().printf(Locale.ROOT, "  %2d. %.4f  %s%s%n", rank++, pr.probability(), pr.displayName(),
                                pr.label() != null ? " (" + pr.classIndex() + ")" : "");
                }
                out().flush();
            }
        }

        if (json) out().println(Json.write(toJson(spec, loaded, results)));
        return 0;
    }

    /** The most images held decoded at once by the last run in this JVM (for tests: at most {@link #BATCH}). */
    static volatile int maxDecodedAtOnce;

    /** Usage error naming {@code p} unless it exists, is not a folder and is readable (checked before the model is built). */
    private static void requireImage(Path p) {
        String problem = !Files.exists(p) ? "file does not exist" : Files.isDirectory(p) ? "is a directory, not an image file"
                : !Files.isReadable(p) ? "file is not readable (permission denied)" : null;
        if (problem != null) throw CliException.usage(InferCommand.oneLine(new ImageReadException(p, problem).getMessage()));
    }

    /** Decodes {@code p} (a pipe is read once, as a stream); a bad image is a usage error naming it. */
    private RgbImage decode(Path p) {
        Path file = dev.efficientnet.cli.safety.InputFiles.materialize("IMAGE", p, err());
        try {
            return Images.read(file);
        } catch (ImageReadException e) {
            String m = InferCommand.oneLine(e.getMessage());
            throw CliException.usage(file.equals(p) ? m : m.replace(file.toString(), p.toString()));
        }
    }

    /** An RGB image (0..255) as a training example (HWC, values in [0, 1]). */
    private static Example example(RgbImage img) {
        float[] hwc = img.toArray();
        for (int i = 0; i < hwc.length; i++) hwc[i] /= 255f;
        return new Example(hwc, img.height(), img.width(), RgbImage.CHANNELS, 0);
    }

    private List<String> readLabels(ModelSpec spec) {
        InferCommand.requireFile("--labels", labelsFile);
        List<String> labels;
        try {
            labels = Labels.read(labelsFile);
        } catch (IOException e) {
            throw CliException.usage("--labels " + labelsFile + ": cannot read: " + InferCommand.oneLine(String.valueOf(e.getMessage())));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--" + InferCommand.oneLine(e.getMessage()));
        }
        if (labels.size() != spec.numClasses())
            throw CliException.usage("--labels " + labelsFile + " has " + labels.size() + " labels but " + spec.name()
                    + " has " + spec.numClasses() + " classes (--num-classes)");
        return labels;
    }

    private Map<String, Object> toJson(ModelSpec spec, InferCommand.Loaded loaded, List<List<Prediction>> results) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", spec.name());
        m.put("weights", weights.toString());
        m.put("naming", loaded.result().naming().id());
        m.put("num_classes", spec.numClasses());
        m.put("top_k", topK);
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Map<String, Object> img = new LinkedHashMap<>();
            img.put("file", images.get(i).toString());
            List<Object> preds = new ArrayList<>();
            for (Prediction p : results.get(i)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", p.classIndex());
                e.put("label", p.label());
                e.put("probability", p.probability());
                preds.add(e);
            }
            img.put("predictions", preds);
            list.add(img);
        }
        m.put("images", list);
        return m;
    }
}
