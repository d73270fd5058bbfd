package dev.efficientnet.cli;

import dev.efficientnet.core.io.Safetensors;
import dev.efficientnet.core.io.SafetensorsFile;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** NaN/Inf weights and negative BN variances are refused on load, naming the tensors; nothing is written. */
class InvalidValuesCliTest {
    @TempDir
    Path tmp;

    @Test
    void nanWeightsAndNegativeVariancesAreNamed() throws Exception {
        ModelSpec spec = Presets.get("efficientnet_b0").withWidthDepth(0.25, 0.1).withNumClasses(5);
        Path good = tmp.resolve("good.safetensors");
        Weights.save(EfficientNet.create(spec, 1), good, Naming.TIMM);
        SafetensorsFile f = Safetensors.read(good);
        Map<String, Tensor> t = new LinkedHashMap<>();
        String conv = null;
        String var = null;
        for (String n : f.names()) {
            Tensor x = f.get(n);
            float[] v = x.toFloatArray();
            if (conv == null && n.endsWith("weight") && x.rank() == 4) {
                conv = n;
                v[0] = Float.NaN;
            } else if (var == null && n.endsWith("running_var")) {
                var = n;
                v[0] = -1f;
            }
            t.put(n, Tensor.of(v, x.shape()));
        }
        Path bad = tmp.resolve("bad.safetensors");
        Safetensors.write(bad, t, f.metadata());
        Path in = tmp.resolve("in.safetensors");
        Safetensors.write(in, Map.of("input", Tensor.of(new float[2 * 3 * 32 * 32], 2, 3, 32, 32)), Map.of());
        Path out = tmp.resolve("out.safetensors");
        CliTestSupport.Run r = CliTestSupport.run("infer", "efficientnet_b0", "--width-mult", "0.25", "--depth-mult", "0.1",
                "--num-classes", "5", "--weights", bad.toString(), "--input", in.toString(), "--output", out.toString());
        // the tensors are named in the model's naming (the file's is timm's: conv, var)
        ReliabilityCliTest.assertUsage(r, "invalid values", "stem.conv.weight' has 1 NaN/Inf value", "running_var' has 1 negative variance");
        assertFalse(Files.exists(out));
    }
}
