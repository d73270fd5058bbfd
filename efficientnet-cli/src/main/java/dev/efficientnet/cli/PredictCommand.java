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
 * one JSON object. An unreadable image exits 2 naming the file; all images are read before the
 * model is built.
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
        weights = CheckpointWeights.resolve("--weights", weights, err());
        TrainedModel trained = null;
        ModelSpec spec;
        if (CheckpointWeights.isCheckpoint(weights)) {   // a training checkpoint: shape and preprocessing from its config
            trained = CheckpointWeights.load("--weights", weights, arch, model.widthMult(), model.depthMult(), model.numClasses(), false);
            spec = trained.model().spec();
        } else {
            spec = Architectures.resolve(arch, model);
            if (spec.numClasses() < 1) throw CliException.usage("predict needs a classifier, but the model has 0 classes (--num-classes)");
            if (spec.inChannels() != 3)
                throw CliException.usage("predict reads RGB images, but " + spec.name() + " takes " + spec.inChannels() + " channels");
            InferCommand.requireFile("--weights", weights);
            dev.efficientnet.cli.safety.MemoryBudget.require("predict", dev.efficientnet.cli.safety.MemoryBudget.inference(spec,
                    Math.min(BATCH, images.size()), spec.evalResolution()), "use a smaller model or give the JVM more memory");
        }
        List<String> labels = labelsFile == null ? null : readLabels(spec);

        List<RgbImage> decoded = new ArrayList<>(images.size());
        for (Path p : images) {
            try {
                decoded.add(Images.read(p));
            } catch (ImageReadException e) {
                throw CliException.usage(InferCommand.oneLine(e.getMessage()));
            }
        }

        InferCommand.Loaded loaded;
        List<List<Prediction>> results = new ArrayList<>(decoded.size());
        if (trained != null) {
            loaded = CheckpointWeights.loaded(trained, spec);
            int size = trained.evalSize();
            Classifier classifier = Classifier.of(loaded.model(), ImagePreprocessing.imagenet(size, 1.0, ImageInterpolation.BILINEAR), labels);
            for (int i = 0; i < decoded.size(); i += BATCH) {
                List<Example> batch = new ArrayList<>();
                for (RgbImage img : decoded.subList(i, Math.min(decoded.size(), i + BATCH))) batch.add(example(img));
                float[] nchw = trained.preprocess(batch, size);
                results.addAll(classifier.topK(Tensor.of(nchw, batch.size(), spec.inChannels(), size, size), topK));
            }
        } else {
            loaded = InferCommand.loadModel(spec, weights);
            Classifier classifier = Classifier.of(loaded.model(), labels);
            for (int i = 0; i < decoded.size(); i += BATCH)
                results.addAll(classifier.topKImages(decoded.subList(i, Math.min(decoded.size(), i + BATCH)), topK));
        }

        if (json) {
            out().println(Json.write(toJson(spec, loaded, results)));
        } else {
            for (int i = 0; i < images.size(); i++) {
                out().println(images.get(i));
                int rank = 1;
                for (Prediction p : results.get(i))
                    out().printf(Locale.ROOT, "  %2d. %.4f  %s%s%n", rank++, p.probability(), p.displayName(),
                            p.label() != null ? " (" + p.classIndex() + ")" : "");
            }
        }
        return 0;
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
