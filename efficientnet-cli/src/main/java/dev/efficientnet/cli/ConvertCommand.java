package dev.efficientnet.cli;

import dev.efficientnet.cli.safety.OutputPaths;
import dev.efficientnet.core.io.SafetensorsException;
import dev.efficientnet.core.io.torch.TorchFormatException;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.LoadOptions;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.WeightConverter;
import dev.efficientnet.models.weights.WeightFile;
import dev.efficientnet.models.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet convert IN OUT}: converts a PyTorch {@code .pth}/{@code .pt} state dict (or a
 * safetensors file) to safetensors (or {@code .pth}). Without {@code --arch} the tensors keep their
 * names (see {@link WeightConverter}); with {@code --arch} they are loaded strictly into that model
 * (keys, shapes and conventions checked) and written in {@code --naming} with the preset in the
 * metadata. Never writes over IN.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        header = "Convert PyTorch .pth/.pt weights to safetensors (or back).",
        description = {"Reads IN (a torch.save state dict or training checkpoint, or safetensors) without running",
                "any of its code and writes OUT (.safetensors, or .pth/.pt) atomically. Without --arch the",
                "tensors keep their names (timm, torchvision or native naming, detected; a 'module.' prefix",
                "and num_batches_tracked are dropped). With --arch the weights are checked against that",
                "model and written in --naming with the preset recorded in the metadata."})
public final class ConvertCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "Weights to read (.pth, .pt or .safetensors).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "File to write (.safetensors, .pth or .pt); not IN.")
    Path output;

    @Option(names = "--key", paramLabel = "K",
            description = "Top-level entry of a training checkpoint holding the state dict (e.g. state_dict_ema); default: automatic.")
    String key;

    @Option(names = "--arch", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Check the weights against this model and record it in OUT's metadata.")
    String arch;

    @Mixin
    ModelOptions model;

    @Option(names = "--naming", paramLabel = "N", description = "With --arch: naming of OUT (native, timm, torchvision; default: IN's).")
    String naming;

    /** Creates the command. */
    public ConvertCommand() {
    }

    @Override
    protected int execute() {
        InferCommand.requireFile("IN", input);
        WeightFile.Format to;
        try {
            to = WeightConverter.outputFormat(output);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("OUT " + e.getMessage());
        }
        OutputPaths.requireDistinct("OUT", output, Map.of("IN", input));
        if (Files.isDirectory(output)) throw CliException.usage("OUT " + output + ": is a directory, not a file");
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
            throw CliException.usage("OUT " + output + ": directory " + parent + " does not exist");
        if (arch == null && (naming != null || model.isSet()))
            throw CliException.usage("--naming, --width-mult, --depth-mult and --num-classes need --arch");
        try {
            if (arch == null) {
                WeightConverter.Result r = WeightConverter.convert(input, key, output);
                out().printf(Locale.ROOT, "converted %s (%s, %s naming, %d tensors%s) to %s (%s, %s)%n", input,
                        r.from().name().toLowerCase(Locale.ROOT), r.naming().id(), r.tensors(),
                        r.strippedPrefix().isEmpty() ? "" : ", prefix '" + r.strippedPrefix() + "' removed", output,
                        to.name().toLowerCase(Locale.ROOT), mb(r.outputBytes()));
                return 0;
            }
            ModelSpec spec = Architectures.resolve(arch, model);
            Naming outNaming;
            try {
                outNaming = naming == null ? null : Naming.parse(naming);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--naming: " + e.getMessage());
            }
            if (to == WeightFile.Format.PYTORCH && outNaming == Naming.NATIVE)
                throw CliException.usage("--naming native is only for .safetensors outputs");
            EfficientNet net = EfficientNet.create(spec);
            try (WeightFile f = WeightFile.open(input, key)) {
                Naming from = Weights.load(net, f, LoadOptions.STRICT).naming();
                Naming target = outNaming != null ? outNaming : from;
                if (to == WeightFile.Format.PYTORCH)
                    dev.efficientnet.core.io.torch.TorchSave.write(output, Weights.export(net, target));
                else Weights.save(net, output, target);
                out().printf(Locale.ROOT, "converted %s (%s, %s naming) to %s (%s, %s naming, preset %s, %s)%n", input,
                        f.format().name().toLowerCase(Locale.ROOT), from.id(), output, to.name().toLowerCase(Locale.ROOT),
                        target.id(), spec.name(), mb(Files.size(output)));
            }
            return 0;
        } catch (TorchFormatException | SafetensorsException e) {
            throw CliException.usage(InferCommand.oneLine(e.getMessage()));
        } catch (IOException e) {
            throw CliException.usage(input + ": cannot convert: " + InferCommand.oneLine(String.valueOf(e.getMessage())));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(InferCommand.oneLine(e.getMessage()));
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
