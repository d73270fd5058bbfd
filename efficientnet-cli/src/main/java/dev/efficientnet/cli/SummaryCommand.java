package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.spec.FeatureInfo;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.StageSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code efficientnet summary ARCH}: the per-stage table (block type, kernel, stride, expand,
 * channels, repeats, output size, params, MACs) and totals, computed from the spec alone (no
 * weights are allocated, so every preset is instant).
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        header = "Per-stage table (blocks, channels, output size, params, MACs) of an architecture.",
        description = {"Per-stage table of an architecture: block type, kernel, stride, expand ratio,",
                "in/out channels, repeats, output HxW, params and MACs, with totals.",
                "Computed from the spec; no weights are allocated."})
public final class SummaryCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "ARCH", completionCandidates = Architectures.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}")
    String arch;

    @Mixin
    ModelOptions model;

    @Option(names = "--resolution", paramLabel = "R",
            description = "Square input size (default: the preset's eval resolution).")
    Integer resolution;

    @Option(names = "--json", description = "Print one JSON object (one line) instead of the table.")
    boolean json;

    @picocli.CommandLine.Mixin
    PresetFileOption presetFile = new PresetFileOption();

    /** Creates the command. */
    public SummaryCommand() {
    }

    @Override
    protected int execute() {
        presetFile.load();
        ModelSpec spec = Architectures.resolve(arch, model);
        int res = resolution != null ? requireAtLeast("--resolution", resolution, 1) : spec.evalResolution();
        List<StageSummary> rows;
        try {
            rows = spec.summary(res);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--resolution " + res + ": " + e.getMessage());
        }
        if (json) {
            out().println(Json.write(toJson(spec, res, rows)));
        } else {
            printText(spec, res);
        }
        return 0;
    }

    private void printText(ModelSpec spec, int res) {
        out().print(spec.describe(res));
        out().printf(Locale.ROOT, "%s params, %s MACs (~%s FLOPs) at %dx%d; train/eval resolution %d/%d%n",
                Format.millions(spec.params()), Format.giga(spec.macs(res)), Format.giga(2 * spec.macs(res)),
                res, res, spec.trainResolution(), spec.evalResolution());
        StringBuilder taps = new StringBuilder("feature taps (reduction: channels):");
        for (FeatureInfo f : spec.featureInfo()) {
            taps.append(String.format(Locale.ROOT, " %d:%d%s", f.reduction(), f.channels(),
                    f.kind() == FeatureInfo.Kind.STAGE ? "" : "(" + f.kind().name().toLowerCase(Locale.ROOT) + ")"));
        }
        out().println(taps);
    }

    /** The JSON document: model facts plus one object per summary row (they sum to the totals). */
    static Map<String, Object> toJson(ModelSpec spec, int res, List<StageSummary> rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", spec.name());
        m.put("family", spec.family().name());
        m.put("width_mult", spec.widthMult());
        m.put("depth_mult", spec.depthMult());
        m.put("num_classes", spec.numClasses());
        m.put("padding", spec.padding().name());
        m.put("resolution", res);
        m.put("train_resolution", spec.trainResolution());
        m.put("eval_resolution", spec.evalResolution());
        m.put("params", spec.params());
        m.put("macs", spec.macs(res));
        m.put("blocks", spec.totalBlocks());
        m.put("stem_channels", spec.stemChannels());
        m.put("head_channels", spec.headChannels());
        List<Object> stages = new ArrayList<>();
        for (StageSummary r : rows) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", r.name());
            s.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
            s.put("block", r.blockType() == null ? null : r.blockType().name());
            s.put("kernel", r.kernel());
            s.put("stride", r.stride());
            s.put("expand", r.expandRatio());
            s.put("in_channels", r.inChannels());
            s.put("out_channels", r.outChannels());
            s.put("repeats", r.repeats());
            s.put("out_h", r.outHeight());
            s.put("out_w", r.outWidth());
            s.put("params", r.params());
            s.put("macs", r.macs());
            stages.add(s);
        }
        m.put("stages", stages);
        List<Object> features = new ArrayList<>();
        for (FeatureInfo f : spec.featureInfo()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("kind", f.kind().name().toLowerCase(Locale.ROOT));
            t.put("reduction", f.reduction());
            t.put("channels", f.channels());
            t.put("stage", f.stageIndex());
            t.put("block", f.blockIndex());
            features.add(t);
        }
        m.put("features", features);
        return m;
    }
}
