package dev.efficientnet.models.weights;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Padding;
import dev.efficientnet.models.spec.Presets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A reference fixture ({@code shared/fixtures/README.md}): {@code NAME.json} (the model and
 * tolerances), {@code NAME.safetensors} (weights in timm or torchvision naming) and
 * {@code NAME.io.safetensors} (input, target and the reference outputs of {@link Conformance}).
 *
 * @param directory  folder holding the three files
 * @param name       the fixture name (file stem)
 * @param arch       preset name
 * @param widthMult  width multiplier (replaces the preset's)
 * @param depthMult  depth multiplier (replaces the preset's)
 * @param numClasses classifier outputs
 * @param padding    {@code same} (TF SAME) or {@code symmetric}
 * @param source     {@code timm} or {@code torchvision}
 * @param bnEps      BN epsilon of the reference
 * @param bnMomentum BN momentum of the reference (PyTorch convention)
 * @param params     trainable parameter count of the reference model
 * @param inputShape NCHW input shape
 * @param tolerance  the fixture's tolerances
 */
public record ReferenceFixture(Path directory, String name, String arch, double widthMult, double depthMult,
                               int numClasses, String padding, String source, double bnEps, double bnMomentum,
                               long params, List<Integer> inputShape, Conformance.Tolerance tolerance) {

    /**
     * Copies the shape.
     *
     * @param directory the directory
     * @param name the name
     * @param arch the architecture
     * @param widthMult the channel (width) multiplier
     * @param depthMult the depth (repeat) multiplier
     * @param numClasses the number of classes (0: no classifier)
     * @param padding the padding rule
     * @param source the source
     * @param bnEps the batch-norm epsilon
     * @param bnMomentum the batch-norm momentum (PyTorch convention)
     * @param params the parameters
     * @param inputShape the input shape
     * @param tolerance the tolerance
     */
    public ReferenceFixture {
        inputShape = List.copyOf(inputShape);
    }

    /**
     * Reads {@code directory/name.json}.
     *
     * @param directory the directory
     * @param name the name
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException naming the field that is missing or has the wrong type
     * @return the fixture
     */
    public static ReferenceFixture read(Path directory, String name) throws IOException {
        Path json = directory.resolve(name + ".json");
        Object parsed = Json.read(json);
        if (!(parsed instanceof Map<?, ?> m)) throw new IllegalArgumentException(json + ": expected a JSON object");
        Map<?, ?> tol = m.get("tolerance") instanceof Map<?, ?> t ? t : Map.of();
        List<Integer> shape = new ArrayList<>();
        if (!(m.get("input_shape") instanceof List<?> dims)) throw new IllegalArgumentException(json + ": input_shape must be a list");
        for (Object d : dims) shape.add(((Number) d).intValue());
        return new ReferenceFixture(directory, name, string(json, m, "arch"), number(json, m, "width_mult"),
                number(json, m, "depth_mult"), (int) number(json, m, "num_classes"), string(json, m, "padding"),
                string(json, m, "source"), number(json, m, "bn_eps"), number(json, m, "bn_momentum_torch"),
                (long) number(json, m, "params"), shape,
                new Conformance.Tolerance(
                        tol.get("logits_max_abs_rel") instanceof Number n ? n.doubleValue() : Conformance.Tolerance.DEFAULT.maxAbsRel(),
                        tol.get("grad_norm_rel") instanceof Number n ? n.doubleValue() : Conformance.Tolerance.DEFAULT.gradNormRel()));
    }

    private static String string(Path file, Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof String s)) throw new IllegalArgumentException(file + ": field '" + key + "' must be a string");
        return s;
    }

    private static double number(Path file, Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException(file + ": field '" + key + "' must be a number");
        return n.doubleValue();
    }

    /** {@return the weights file} */
    public Path weightsFile() {
        return directory.resolve(name + ".safetensors");
    }

    /** {@return the inputs/outputs file} */
    public Path ioFile() {
        return directory.resolve(name + ".io.safetensors");
    }

    /** {@return true when all three files exist} */
    public boolean complete() {
        return Files.isRegularFile(weightsFile()) && Files.isRegularFile(ioFile());
    }

    /** {@return the naming of the weights and of the reference tensors} */
    public Naming naming() {
        return switch (source) {
            case "timm" -> Naming.TIMM;
            case "torchvision" -> Naming.TORCHVISION;
            default -> throw new IllegalArgumentException(name + ": unknown source '" + source + "'");
        };
    }

    /** {@return the fixture's padding as a spec padding mode} */
    public Padding paddingMode() {
        return switch (padding) {
            case "same" -> Padding.TF_SAME;
            case "symmetric" -> Padding.SYMMETRIC;
            default -> throw new IllegalArgumentException(name + ": unknown padding '" + padding + "'");
        };
    }

    /**
     * The spec to compare against: {@code Presets.get(arch, width, depth, classes)} with BN momentum
     * forced to the reference's and dropout and drop path off. The preset's own padding and BN
     * epsilon are kept (a conformance test should check that they equal {@link #paddingMode()} and
     * {@link #bnEps()}).
     *
     * @return the spec to compare against: {@code Presets.get(arch, width, depth, classes)} with BN momentum forced to the reference's and dropout and drop path off
     */
    public ModelSpec spec() {
        ModelSpec s = Presets.get(arch, widthMult, depthMult, numClasses);
        return s.withBatchNorm(s.bnEps(), bnMomentum).withDropout(0).withDropPath(0);
    }

    /**
     * Builds {@link #spec()} and loads the fixture's weights strictly.
     *
     * @return the model with the fixture's weights
     * @throws IOException if a file cannot be read or written
     */
    public EfficientNet loadModel() throws IOException {
        EfficientNet model = EfficientNet.create(spec());
        Weights.load(model, weightsFile());
        return model;
    }

    /**
     * Every tensor of the io file.
     *
     * @return every tensor of the io file
     * @throws IOException if a file cannot be read or written
     */
    public Map<String, Tensor> readIo() throws IOException {
        return Safetensors.load(ioFile());
    }

    /**
     * True when the io file holds a train step ({@code train_logits}, gradients, statistics).
     *
     * @return true when the io file holds a train step ({@code train_logits}, gradients, statistics)
     * @throws IOException if a file cannot be read or written
     */
    public boolean hasTrainStep() throws IOException {
        return Safetensors.read(ioFile()).contains(Conformance.TRAIN_LOGITS);
    }
}
