package dev.efficientnet.core.autograd;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.ops.Activations;
import dev.efficientnet.core.ops.Reductions;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Rng;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffers released during backward and during scoped inference are dead only when nothing reads them. */
class GradientReleaseTest {
    /** An odd length so that no other test's pooled buffers have it. */
    private static final int N = 12_347;

    /**
     * {@code add}'s rule hands the same gradient buffer to both of its inputs. If the engine released
     * it after the first consumer, the second would read a buffer already reused by the first one's
     * rule. The scoped (releasing) pass must give exactly the gradients of the unscoped one.
     */
    @Test
    void sharedGradientBufferLivesUntilItsLastReader() {
        float[] expected = gradOfBranchyGraph();
        float[] released;
        try (MemoryScope s = MemoryScope.open()) {
            released = gradOfBranchyGraph();
        }
        assertArrayEquals(expected, released, 0f);
    }

    private static float[] gradOfBranchyGraph() {
        Tensor a = new Rng(7).uniformTensor(DType.FLOAT32, -1, 1, N).requiresGrad(true);
        Tensor c = new Rng(8).uniformTensor(DType.FLOAT32, -1, 1, N);
        Tensor x1 = a.mul(a).mul(c);
        Tensor x2 = Activations.exp(a).mul(c);
        Tensor x3 = Activations.tanh(a).reshape(1, N);
        Tensor h = x1.add(x2).add(x3.reshape(N)).mul(c);
        Reductions.sum(Activations.sigmoid(h)).backward();
        return a.grad().toFloatArray();
    }

    /** A chain of 40 same-shaped ops: backward recycles its buffers instead of allocating ~80 more. */
    @Test
    void backwardReusesItsOwnBuffers() {
        Tensor a = new Rng(9).uniformTensor(DType.FLOAT32, -1, 1, N).requiresGrad(true);
        long before;
        long after;
        try (MemoryScope s = MemoryScope.open()) {
            Tensor y = a;
            for (int i = 0; i < 40; i++) y = Activations.tanh(y).mul(0.9);
            Tensor loss = Reductions.sum(y);
            before = Backend.current().bytesAllocated();
            loss.backward();
            after = Backend.current().bytesAllocated();
        }
        long buffers = (after - before) / (4L * N);
        assertTrue(buffers <= 6, "backward allocated " + buffers + " new buffers of the chain's size (without reuse: about 80)");
    }

    /** 20 steps of 3 ops each: a plain loop holds 60 buffers until the scope closes, the scoped pass a few. */
    @Test
    void scopedInferenceReleasesEachStepsTemporariesAndKeepsTheResult() {
        Tensor x = new Rng(3).uniformTensor(DType.FLOAT32, -1, 1, N);
        List<UnaryOperator<Tensor>> steps = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            steps.add(t -> Activations.tanh(t).mul(2).add(1));
            steps.add(t -> t.reshape(1, N).reshape(N)); // a view: must not be released under its reader
            steps.add(t -> t);                           // an identity: returns its input
        }
        float[] expected = x.toFloatArray();
        for (int i = 0; i < 20; i++) for (int j = 0; j < N; j++) expected[j] = (float) Math.tanh(expected[j]) * 2 + 1;
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            long before = Backend.current().bytesAllocated();
            Tensor out = MemoryScope.applyInOrder(x, steps);
            long buffers = (Backend.current().bytesAllocated() - before) / (4L * N);
            assertArrayEquals(expected, out.toFloatArray(), 1e-6f);
            assertTrue(buffers <= 6, "the scoped pass allocated " + buffers + " buffers (a plain loop: 60)");
            assertFalse(x.storage().isReleased(), "the caller's input was released");
        }
    }

    /** zeroGrad only marks the buffer: reading it gives zeros, and the next backward overwrites instead of adding. */
    @Test
    void lazilyZeroedGradientsAreExact() {
        Tensor a = new Rng(4).uniformTensor(DType.FLOAT32, -1, 1, 257).requiresGrad(true);
        Reductions.sum(Activations.tanh(a)).backward();
        float[] once = a.grad().toFloatArray();
        Reductions.sum(Activations.tanh(a)).backward();
        float[] twice = a.grad().toFloatArray();
        for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-6f);
        a.zeroGrad();
        assertArrayEquals(new float[once.length], a.grad().toFloatArray(), 0f);
        a.zeroGrad();
        Reductions.sum(Activations.tanh(a)).backward();
        assertArrayEquals(once, a.grad().toFloatArray(), 0f);
    }

    @Test
    void releaseNowLeavesKeptAndForeignBuffersAlone() {
        Tensor outside = Tensor.zeros(DType.FLOAT32, 4);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor kept = s.keep(Tensor.zeros(DType.FLOAT32, 4));
            Tensor temp = Tensor.zeros(DType.FLOAT32, 4);
            assertFalse(s.releaseNow(outside.storage()));
            assertFalse(s.releaseNow(kept.storage()));
            assertTrue(s.releaseNow(temp.storage()));
            assertThrows(IllegalStateException.class, temp::toFloatArray);
            assertArrayEquals(new float[4], kept.toFloatArray(), 0f);
        }
        assertArrayEquals(new float[4], outside.toFloatArray(), 0f);
    }
}
