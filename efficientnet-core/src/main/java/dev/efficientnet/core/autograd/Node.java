package dev.efficientnet.core.autograd;

import dev.efficientnet.core.tensor.Tensor;

/**
 * One recorded op in the define-by-run graph: its inputs, its output and the rule that turns the
 * output's gradient into the inputs' gradients. Ops subclass it (usually as a small anonymous or
 * nested class that keeps what backward needs) and attach it with {@link #record}.
 */
public abstract class Node {
    private Tensor[] inputs;
    private Tensor output;

    /**
     * A node whose output depends on {@code inputs} (the tensors backward sends gradients to).
     *
     * @param inputs the inputs
     */
    protected Node(Tensor... inputs) {
        this.inputs = inputs;
    }

    /**
     * True when gradients are being recorded and any of {@code inputs} needs one.
     *
     * @param inputs the inputs
     * @return true when gradients are being recorded and any of {@code inputs} needs one
     */
    public static boolean shouldRecord(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Attaches {@code node} as the creator of {@code output} when recording; returns {@code output}.
     *
     * @param output the output
     * @param node the node
     * @return {@code output}
     */
    public static Tensor record(Tensor output, Node node) {
        node.output = output;
        output.setCreator(node);
        return output;
    }

    /** {@return the op's inputs (null entries for absent optional inputs)} */
    public final Tensor[] inputs() {
        return inputs;
    }

    /** {@return the tensor this node produced} */
    public final Tensor output() {
        return output;
    }

    /**
     * True if input {@code i} is present and needs a gradient.
     *
     * @param i the index
     * @return true if input {@code i} is present and needs a gradient
     */
    protected final boolean needsGrad(int i) {
        return inputs[i] != null && inputs[i].requiresGrad();
    }

    /**
     * Given the gradient of the output, returns one gradient per input (null where not needed).
     * A returned gradient must have its input's shape; it may be {@code gradOutput} itself.
     *
     * @param gradOutput the gradient of the output
     * @return given the gradient of the output, returns one gradient per input (null where not needed)
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /** Drops saved tensors and graph links once backward has used them. */
    void free() {
        inputs = null;
        output = null;
        releaseSaved();
    }

    /** Override to drop references to tensors saved for backward. */
    protected void releaseSaved() {
    }
}
