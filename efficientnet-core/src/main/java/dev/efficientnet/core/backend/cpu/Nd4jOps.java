package dev.efficientnet.core.backend.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Runs an ND4J custom op on preallocated outputs (so ND4J allocates nothing per call). */
final class Nd4jOps {
    private Nd4jOps() {
    }

    static void exec(String name, INDArray[] inputs, INDArray[] outputs, int[] iArgs, double[] tArgs, boolean[] bArgs) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(name).addInputs(inputs).addOutputs(outputs);
        if (iArgs != null && iArgs.length > 0) b.addIntegerArguments(iArgs);
        if (tArgs != null && tArgs.length > 0) {
            Double[] boxed = new Double[tArgs.length];
            for (int i = 0; i < tArgs.length; i++) boxed[i] = tArgs[i];
            b.addFloatingPointArguments(boxed);
        }
        if (bArgs != null && bArgs.length > 0) b.addBooleanArguments(bArgs);
        Nd4j.exec(b.build());
    }

    static void exec(String name, INDArray[] inputs, INDArray[] outputs, int... iArgs) {
        exec(name, inputs, outputs, iArgs, null, null);
    }
}
