package dev.efficientnet.models.conformance;

import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.weights.Conformance;
import dev.efficientnet.models.weights.ConformanceReport;
import dev.efficientnet.models.weights.NameMapping;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.ReferenceFixture;
import dev.efficientnet.testsupport.SharedFixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heart of the library's correctness: for every reference fixture (timm and torchvision on
 * PyTorch, seeded random weights), build the matching preset, load the weights and check the eval
 * outputs (logits, pooled features, every block's activation) and one train step (logits, loss,
 * every gradient, every BN running statistic after the step) against the recorded tensors.
 *
 * <p>The three scaled fixtures are test resources; the full-size {@code timm_tf_efficientnet_b0}
 * is read from the folder in the {@code shared.fixtures} system property and skipped, with a
 * message, when it is absent.
 */
class ReferenceConformanceTest {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceConformanceTest.class);
    private static final String FULL = "timm_tf_efficientnet_b0";

    static ReferenceFixture fixture(String name) throws IOException {
        Path dir;
        if (name.equals(FULL)) {
            dir = SharedFixtures.require(name + ".json", name + ".safetensors", name + ".io.safetensors");
        } else {
            try {
                dir = Path.of(ReferenceConformanceTest.class.getResource("/fixtures/" + name + ".json").toURI()).getParent();
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("test resource fixtures/" + name + ".json is missing", e);
            }
        }
        ReferenceFixture f = ReferenceFixture.read(dir, name);
        assertTrue(f.complete(), name + ": weights or io file missing in " + dir);
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"timm_tf_efficientnet_b0_w0.25_d0.5", "timm_tf_efficientnetv2_s_w0.25_d0.25",
            "tv_efficientnet_b0_w0.25_d0.5", FULL})
    void presetMatchesFixture(String name) throws IOException {
        ReferenceFixture f = fixture(name);
        ModelSpec spec = f.spec();
        assertEquals(f.paddingMode(), spec.padding(), name + ": padding");
        assertEquals(f.bnEps(), spec.bnEps(), 0, name + ": BN eps");
        assertEquals(f.bnMomentum(), spec.bnMomentum(), 0, name + ": BN momentum");
        assertEquals(f.params(), spec.params(), name + ": parameter count of the spec");
        assertEquals(f.params(), EfficientNet.create(spec).parameterCount(), name + ": parameters of the built model");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"timm_tf_efficientnet_b0_w0.25_d0.5", "timm_tf_efficientnetv2_s_w0.25_d0.25",
            "tv_efficientnet_b0_w0.25_d0.5", FULL})
    void evalOutputsMatchReference(String name) throws IOException {
        ReferenceFixture f = fixture(name);
        EfficientNet model = f.loadModel();
        Map<String, Tensor> io = f.readIo();
        Tensor input = io.get("input");
        assertNotNull(input, name + ": no input");
        assertEquals(f.inputShape(), Arrays.stream(input.shape()).boxed().toList());
        long t0 = System.nanoTime();
        Map<String, Tensor> ours = Conformance.evalOutputs(model, input, f.naming());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        ConformanceReport report = Conformance.compare(ours, io, f.tolerance());
        LOG.info("{} eval ({} ms): {}", name, ms, report.summary());
        assertTrue(report.passed(), name + " eval: " + report.summary());
        // every act.* of the reference was compared, in network order
        List<String> refActs = io.keySet().stream().filter(k -> k.startsWith(Conformance.ACT)).toList();
        List<String> ourActs = ours.keySet().stream().filter(k -> k.startsWith(Conformance.ACT)).toList();
        assertEquals(refActs, ourActs, name + ": activation names/order");
        assertTrue(report.check(Conformance.LOGITS).isPresent() && report.check(Conformance.FEATURES).isPresent());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"timm_tf_efficientnet_b0_w0.25_d0.5", "timm_tf_efficientnetv2_s_w0.25_d0.25",
            "tv_efficientnet_b0_w0.25_d0.5", FULL})
    void trainStepMatchesReference(String name) throws IOException {
        ReferenceFixture f = fixture(name);
        Assumptions.assumeTrue(f.hasTrainStep(), name + " records eval tensors only (no train step to compare)");
        EfficientNet model = f.loadModel();
        Map<String, Tensor> io = f.readIo();
        long t0 = System.nanoTime();
        Map<String, Tensor> ours = Conformance.trainStep(model, io.get("input"), io.get("target"), f.naming());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        ConformanceReport report = Conformance.compare(ours, io, f.tolerance());
        LOG.info("{} train step ({} ms): {}", name, ms, report.summary());
        assertTrue(report.passed(), name + " train step: " + report.summary());
        // the key sets are equal: one gradient per parameter, both statistics of every BN
        assertEquals(new TreeSet<>(io.keySet().stream().filter(k -> k.startsWith("grad.") || k.startsWith("after.")).toList()),
                new TreeSet<>(ours.keySet().stream().filter(k -> k.startsWith("grad.") || k.startsWith("after.")).toList()));
        assertArrayEquals(new int[]{1}, ours.get(Conformance.LOSS).shape());
        // gradients accepted as round-off of an exact zero must be the analytically-zero ones: the
        // bias of a project BN, whose output reaches only 1x1 convs followed by train-mode BNs
        NameMapping mapping = NameMapping.of(model);
        for (ConformanceReport.Check c : report.zeroGradients()) {
            NameMapping.Entry e = mapping.find(f.naming(), c.key().substring(Conformance.GRAD.length()));
            assertTrue(e != null && e.nativeName().endsWith("project.bn.bias"), name + ": unexpected zero gradient " + c);
        }
        assertTrue(report.check(Conformance.LOSS).orElseThrow().passed());
    }

    /** The comparison is not vacuous: a perturbed weight is caught and localized to its block. */
    @org.junit.jupiter.api.Test
    void perturbedWeightIsLocalized() throws IOException {
        ReferenceFixture f = fixture("timm_tf_efficientnet_b0_w0.25_d0.5");
        EfficientNet model = f.loadModel();
        Map<String, Tensor> io = f.readIo();
        Tensor w = model.stateDict().get("stages.3.1.dw.conv.weight");
        float[] v = w.toFloatArray();
        v[0] += 0.05f;
        w.assign(Tensor.of(v, w.shape()));
        ConformanceReport report = Conformance.compare(Conformance.evalOutputs(model, io.get("input"), Naming.TIMM), io,
                f.tolerance());
        assertTrue(!report.passed());
        assertEquals("act.blocks.3.1", report.firstFailingActivation().orElseThrow().key(), report.summary());
        assertTrue(report.check("act.blocks.3.0").orElseThrow().passed());
    }

    /**
     * Padding and BN epsilon matter: torchvision weights in the TF-compatible preset (same shapes,
     * TF SAME padding, eps 1e-3) are refused; loaded anyway, they do not reproduce torchvision, and the first
     * differing activation is the stem.
     */
    @org.junit.jupiter.api.Test
    void torchvisionWeightsInTfPresetDifferFromTheStem() throws IOException {
        ReferenceFixture f = fixture("tv_efficientnet_b0_w0.25_d0.5");
        EfficientNet tf = EfficientNet.create(dev.efficientnet.models.spec.Presets.get("tf_efficientnet_b0", f.widthMult(),
                f.depthMult(), f.numClasses()));
        // refused by default (torchvision-named weights need symmetric padding), loaded here on purpose
        assertEquals("efficientnet_b0", org.junit.jupiter.api.Assertions.assertThrows(
                dev.efficientnet.models.weights.IncompatibleWeightsException.class,
                () -> dev.efficientnet.models.weights.Weights.load(tf, f.weightsFile())).suggestedPreset());
        dev.efficientnet.models.weights.Weights.load(tf, f.weightsFile(),
                dev.efficientnet.models.weights.LoadOptions.STRICT.ignoringConventions());
        Map<String, Tensor> io = f.readIo();
        ConformanceReport report = Conformance.compare(Conformance.evalOutputs(tf, io.get("input"), Naming.TORCHVISION), io,
                f.tolerance());
        assertEquals("act.features.0", report.firstFailingActivation().orElseThrow().key(), report.summary());
        assertTrue(!report.check(Conformance.LOGITS).orElseThrow().passed());
    }
}
