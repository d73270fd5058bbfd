package dev.efficientnet.train.reliability;

import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.data.DataException;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.progressive.ProgressiveSchedule;

/** The tiny runs the reliability tools share, so a child JVM and the test build identical ones. */
public final class ReliabilityRuns {
    private ReliabilityRuns() {
    }

    /**
     * A tiny V2-B0 (width 0.25, depth 0.1, 1 channel, 10 classes) at 12 px with every random
     * component on (RandAugment, dropout, drop path, EMA, label smoothing), RMSProp-TF, seed 11.
     *
     * @param epochs    epochs to run
     * @param batchSize batch size
     */
    public static TrainConfig tinyConfig(int epochs, int batchSize) {
        return TrainConfig.builder("tf_efficientnetv2_b0").widthMult(0.25).depthMult(0.1).inChannels(1).numClasses(10)
                .dropPath(0.1).epochs(epochs).batchSize(batchSize)
                .schedule(ProgressiveSchedule.none(12, 0.1, 5, 0))
                .optimizer(OptimizerKind.RMSPROP_TF).lr(0.01).emaDecay(0.9).labelSmoothing(0.1).workers(2).seed(11).build();
    }

    /** The first {@code n} examples of the embedded Fashion-MNIST training subset. */
    public static Dataset tinyData(int n) throws DataException {
        return Datasets.head(DataSources.embeddedFashionMnist().train(), n);
    }
}
