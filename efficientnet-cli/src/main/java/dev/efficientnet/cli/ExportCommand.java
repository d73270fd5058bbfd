package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.OutputPaths;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.export.OnnxExport;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import dev.efficientnet.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet export ARCH --weights W --format onnx|timm|torchvision|native --output OUT}:
 * writes a model's weights (a weights file in any naming, a training checkpoint's EMA weights, or a
 * run folder's chosen checkpoint) as an ONNX graph ({@link OnnxExport}) or as safetensors in timm's,
 * torchvision's or this library's naming ({@link Weights#save}). Bad input: one line on stderr, exit
 * 2. The output must differ from the input, and an existing output is only replaced with
 * {@code --overwrite}; files are written atomically.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Export weights as an ONNX graph or as timm/torchvision/native safetensors.",
        description = {"Loads ARCH with --weights (timm, torchvision or native naming, a training checkpoint",
                "- its EMA weights, shape from its config - or a run folder) and writes --output:",
                "  --format onnx: an ONNX graph (opset " + OnnxExport.OPSET + ", dynamic batch, input 'input' N x C x H x W,",
                "    output 'logits'; BN folded; H and W fixed, --size or the model's eval size);",
                "  --format timm | torchvision | native: safetensors in that naming (PyTorch layouts for",
                "    timm and torchvision), with metadata (preset, multipliers, padding, BN eps).",
                "Never overwrites --weights; an existing --output needs --overwrite."})
public final class ExportCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Mixin
    ModelOptions model;

    @Option(names = "--weights", paramLabel = "W", required = true,
            description = "Weights (timm, torchvision or native naming), a training checkpoint or a run folder.")
    Path weights;

    @Option(names = "--format", paramLabel = "F", required = true, description = "onnx, timm, torchvision or native.")
    String format;

    @Option(names = "--output", paramLabel = "OUT", required = true, description = "The file to write.")
    Path output;

    @Option(names = "--size", paramLabel = "PX", description = "ONNX input height and width (default: the model's eval size).")
    Integer size;

    @Option(names = "--overwrite", description = "Replace an existing --output.")
    boolean overwrite;

    /** Creates the command. */
    public ExportCommand() {
    }

    @Override
    protected int execute() {
        String f = format.trim().toLowerCase(Locale.ROOT);
        Naming naming = null;
        if (!f.equals("onnx")) {
            try {
                naming = Naming.parse(f);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--format " + format + ": expected onnx, timm, torchvision or native");
            }
        }
        if (size != null && size < 1) throw CliException.usage("--size must be >= 1, got " + size);
        if (size != null && naming != null) throw CliException.usage("--size applies to --format onnx only");
        Path resolved = CheckpointWeights.resolve("--weights", weights, err());
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("--weights", weights);
        inputs.put("--weights' checkpoint", resolved);
        OutputPaths.requireDistinct("--output", output, inputs);
        if (Files.isDirectory(output)) throw CliException.usage("--output " + output + ": is a directory, not a file");
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
            throw CliException.usage("--output " + output + ": directory " + parent + " does not exist");
        if (Files.exists(output) && !overwrite)
            throw CliException.usage("--output " + output + " exists; pass --overwrite to replace it");

        EfficientNet net;
        int evalSize;
        if (CheckpointWeights.isCheckpoint(resolved)) {
            TrainedModel trained = CheckpointWeights.load("--weights", resolved, arch, model.widthMult(), model.depthMult(),
                    model.numClasses(), false);
            ModelSpec spec = trained.model().spec();
            net = CheckpointWeights.loaded(trained, spec).model();
            evalSize = trained.evalSize();
        } else {
            ModelSpec spec = Architectures.resolve(arch, model);
            InferCommand.requireFile("--weights", resolved);
            net = InferCommand.loadModel(spec, resolved).model();
            evalSize = spec.evalResolution();
        }
        net.eval();
        int px = size != null ? size : evalSize;
        try {
            if (naming == null) OnnxExport.write(net, px, px, output);
            else Weights.save(net, output, naming);
        } catch (IOException e) {
            throw CliException.usage("--output " + output + ": cannot write: " + InferCommand.oneLine(String.valueOf(e.getMessage())));
        }
        out().printf(Locale.ROOT, "%s: %s (%s%s) -> %s%n", net.spec().name(), resolved, naming == null ? "onnx" : naming.id() + " naming",
                naming == null ? String.format(Locale.ROOT, ", %dx%d, opset %d, dynamic batch", px, px, OnnxExport.OPSET) : "", output);
        return 0;
    }
}
