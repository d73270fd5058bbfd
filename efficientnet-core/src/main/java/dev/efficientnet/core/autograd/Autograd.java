package dev.efficientnet.core.autograd;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reverse-mode engine: walks the graph behind a tensor in reverse topological order, calls each
 * node's backward rule, sums gradients that meet at a tensor, and accumulates into the
 * {@code grad} of leaf tensors that require one. The graph is freed as it is consumed.
 */
public final class Autograd {
    private Autograd() {
    }

    /**
     * Back-propagates {@code seed} (the gradient of {@code root}) through the recorded graph.
     *
     * @param root the root of the graph
     * @param seed the seed gradient
     */
    public static void backward(Tensor root, Tensor seed) {
        if (!Arrays.equals(root.shape(), seed.shape()))
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(seed.shape())
                    + " does not match tensor shape " + Arrays.toString(root.shape()));
        if (!root.requiresGrad())
            throw new IllegalStateException("backward() on a tensor that does not require grad (no parameter or input needs a gradient, or it was computed under GradMode.disabled())");
        Node rootNode = root.creator();
        if (rootNode == null) {
            root.accumulateGrad(seed);
            return;
        }
        List<Node> order = topologicalOrder(rootNode);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        GradientBuffers buffers = GradientBuffers.forCurrentScope();
        try (GradMode g = GradMode.disabled()) {
            for (int n = order.size() - 1; n >= 0; n--) {
                Node node = order.get(n);
                Tensor out = node.output();
                Tensor gradOut = grads.remove(out);
                if (gradOut != null) {
                    buffers.dropPending(gradOut);
                    Tensor[] inputs = node.inputs();
                    Tensor[] gradIns = node.backward(gradOut);
                    for (int i = 0; i < inputs.length; i++) {
                        Tensor in = inputs[i];
                        if (in == null || !in.requiresGrad() || gradIns[i] == null) continue;
                        Tensor gi = gradIns[i];
                        if (!Arrays.equals(gi.shape(), in.shape()))
                            throw new IllegalStateException("op " + node.getClass().getName() + " returned gradient of shape "
                                    + Arrays.toString(gi.shape()) + " for input " + i + " of shape " + Arrays.toString(in.shape()));
                        if (in.creator() == null) {
                            in.accumulateGrad(gi);
                        } else {
                            Tensor prev = grads.get(in);
                            if (prev == null) {
                                grads.put(in, gi);
                                buffers.addPending(gi);
                            } else {
                                Tensor sum = Tensor.empty(prev.dtype(), prev.shape());
                                Backend.current().axpby(1, prev, 1, gi, sum);
                                buffers.dropPending(prev);
                                grads.put(in, sum);
                                buffers.addPending(sum);
                            }
                        }
                    }
                }
                out.setCreator(null);
                node.free();
                buffers.releaseUnused();
            }
        }
    }

    /** Nodes reachable from {@code root}, every node after all nodes it depends on (iterative DFS). */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = node.inputs();
            boolean pushed = false;
            while (next < inputs.length) {
                Tensor in = inputs[next++];
                Node child = in == null ? null : in.creator();
                if (child != null && visited.put(child, Boolean.TRUE) == null) {
                    frame[1] = next;
                    stack.push(new Object[]{child, 0});
                    pushed = true;
                    break;
                }
            }
            if (!pushed) {
                stack.pop();
                order.add(node);
            }
        }
        return order;
    }
}
