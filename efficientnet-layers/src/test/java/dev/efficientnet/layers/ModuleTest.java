package dev.efficientnet.layers;

import dev.efficientnet.core.ops.Activation;
import dev.efficientnet.core.ops.Padding;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {
    static final LayerSettings TF = new LayerSettings(Padding.same(), 1e-3, 0.1, Activation.SILU);

    static MBConv mbconv(long seed) {
        return new MBConv(8, 32, 8, 3, 1, 2, 0.1, TF, new Rng(seed));
    }

    @Test
    void namesAreHierarchicalAndStable() {
        MBConv block = mbconv(1);
        assertEquals(List.of(
                "expand.conv.weight", "expand.bn.weight", "expand.bn.bias",
                "dw.conv.weight", "dw.bn.weight", "dw.bn.bias",
                "se.reduce.weight", "se.reduce.bias", "se.expand.weight", "se.expand.bias",
                "project.conv.weight", "project.bn.weight", "project.bn.bias"), List.copyOf(block.namedParameters().keySet()));
        assertTrue(block.namedBuffers().containsKey("dw.bn.running_var"));
        assertArrayEquals(new int[]{3, 3, 32, 1}, block.namedParameters().get("dw.conv.weight").shape());
        assertArrayEquals(new int[]{1, 1, 32, 2}, block.namedParameters().get("se.reduce.weight").shape());
        long expected = 8 * 32 + 2 * 32 + 9 * 32 + 2 * 32 + (32 * 2 + 2) + (2 * 32 + 32) + 32 * 8 + 2 * 8;
        assertEquals(expected, block.parameterCount());
    }

    @Test
    void strictLoadListsEveryProblemAndLoadsNothing() {
        MBConv a = mbconv(1);
        MBConv b = mbconv(2);
        Map<String, Tensor> state = new LinkedHashMap<>(a.stateDict());
        state.remove("dw.bn.bias");
        state.put("extra.weight", Tensor.zeros(3));
        state.put("project.conv.weight", Tensor.zeros(1, 1, 32, 9));
        float[] before = b.namedParameters().get("expand.conv.weight").toFloatArray();
        StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(state, true));
        assertEquals(List.of("dw.bn.bias"), e.missing());
        assertEquals(List.of("extra.weight"), e.unexpected());
        assertEquals(1, e.mismatched().size());
        assertTrue(e.getMessage().contains("project.conv.weight"), e.getMessage());
        assertArrayEquals(before, b.namedParameters().get("expand.conv.weight").toFloatArray(), "nothing may be loaded");
        // lenient: missing and unexpected tolerated, shape mismatch never
        assertThrows(StateDictException.class, () -> b.loadStateDict(state, false));
        state.put("project.conv.weight", a.stateDict().get("project.conv.weight"));
        List<String> loaded = b.loadStateDict(state, false);
        assertFalse(loaded.contains("dw.bn.bias"));
        assertArrayEquals(a.namedParameters().get("expand.conv.weight").toFloatArray(), b.namedParameters().get("expand.conv.weight").toFloatArray());
    }

    @Test
    void roundTripGivesIdenticalOutputs() {
        MBConv a = mbconv(1);
        MBConv b = mbconv(2);
        a.eval();
        b.eval();
        Tensor x = new Rng(3).normalTensor(dev.efficientnet.core.tensor.DType.FLOAT32, 0, 1, 2, 5, 7, 8);
        assertNotEquals(a.forward(x).sum().item(), b.forward(x).sum().item());
        b.loadStateDict(a.stateDict(), true);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    }

    @Test
    void freezeStopsGradientsAndKeepsBatchNormInEval() {
        MBConv block = mbconv(1);
        ((Module) block.child("dw")).freeze();
        block.train(true);
        assertFalse(block.child("dw").isTraining(), "frozen BN stays in eval mode");
        assertTrue(block.child("expand").isTraining());
        assertEquals(10, block.trainableParameters().size());
        Tensor runningBefore = block.namedBuffers().get("dw.bn.running_mean").copy();
        Tensor x = new Rng(4).normalTensor(dev.efficientnet.core.tensor.DType.FLOAT32, 0, 1, 2, 5, 5, 8);
        block.forward(x).sum().backward();
        assertEquals(null, block.namedParameters().get("dw.conv.weight").grad());
        assertTrue(block.namedParameters().get("expand.conv.weight").grad() != null);
        assertArrayEquals(runningBefore.toFloatArray(), block.namedBuffers().get("dw.bn.running_mean").toFloatArray());
        block.child("dw").unfreeze();
        block.train(true);
        assertTrue(block.child("dw").isTraining());
        assertEquals(13, block.trainableParameters().size());
    }

    @Test
    void residualOnlyWithStrideOneAndEqualChannels() {
        assertTrue(mbconv(1).hasResidual());
        assertFalse(new MBConv(8, 32, 8, 3, 2, 2, 0.1, TF, new Rng(1)).hasResidual());
        assertFalse(new MBConv(8, 32, 16, 3, 1, 2, 0.1, TF, new Rng(1)).hasResidual());
        FusedMBConv single = new FusedMBConv(8, 8, 8, 3, 1, 0, 0.1, TF, new Rng(1));
        assertTrue(single.hasResidual());
        assertEquals(List.of("conv.conv.weight", "conv.bn.weight", "conv.bn.bias"), List.copyOf(single.namedParameters().keySet()));
        assertEquals(0.1, single.dropPath().rate());
    }

    @Test
    void evalModeDoesNotUpdateRunningStatistics() {
        BatchNorm2d bn = new BatchNorm2d(4, 1e-5, 0.1);
        Tensor x = new Rng(5).normalTensor(dev.efficientnet.core.tensor.DType.FLOAT32, 3, 2, 2, 3, 4);
        bn.eval().forward(x);
        assertArrayEquals(new float[4], bn.namedBuffers().get("running_mean").toFloatArray());
        bn.train(true).forward(x);
        assertNotEquals(0f, bn.namedBuffers().get("running_mean").toFloatArray()[0]);
    }
}
