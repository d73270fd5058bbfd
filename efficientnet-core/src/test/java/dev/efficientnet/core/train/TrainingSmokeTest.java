package dev.efficientnet.core.train;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.ops.Losses;
import dev.efficientnet.core.optim.Optimizer;
import dev.efficientnet.core.optim.ParamGroups;
import dev.efficientnet.core.optim.Sgd;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The autograd, ops and optimizer together: a small CNN learns, and memory stays flat while it does. */
class TrainingSmokeTest {

    @Test
    void smallCnnLearnsStripesFromAFixedSeed() {
        ToyData train = new ToyData(512, 1);
        ToyData test = new ToyData(256, 2);
        TinyCnn net = new TinyCnn(1, 8, 2, 3);
        Optimizer opt = new Sgd(ParamGroups.of(net.params), 0.1, 0.9, true, 0);
        int batch = 32;
        for (int epoch = 0; epoch < 4; epoch++) {
            for (int b = 0; b + batch <= train.count; b += batch) {
                try (MemoryScope step = MemoryScope.open()) {
                    opt.zeroGrad();
                    Tensor loss = Losses.crossEntropy(net.forward(train.batch(b, batch)), train.labels(b, batch));
                    loss.backward();
                    opt.step();
                }
            }
        }
        double accuracy = accuracy(net, test);
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy + " < 0.95");
    }

    static double accuracy(TinyCnn net, ToyData data) {
        net.training = false;
        int correct = 0;
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.disabled()) {
            float[] logits = net.forward(data.batch(0, data.count)).toFloatArray();
            for (int i = 0; i < data.count; i++) {
                int pred = logits[2 * i + 1] > logits[2 * i] ? 1 : 0;
                if (pred == data.labels[i]) correct++;
            }
        }
        net.training = true;
        return correct / (double) data.count;
    }

    /**
     * Runs with a fixed, pre-touched Java heap (the surefire argLine: -Xms1g -Xmx1g
     * -XX:+AlwaysPreTouch), so RSS growth here is off-heap growth: ND4J buffers and natives.
     */
    @Test
    void thousandTrainingStepsKeepResidentMemoryFlat() throws IOException {
        ToyData data = new ToyData(64, 5);
        TinyCnn net = new TinyCnn(1, 16, 2, 6);
        Optimizer opt = new Sgd(ParamGroups.of(net.params), 0.01, 0.9, false, 1e-4);
        long warm = 0;
        int steps = 1000;
        for (int i = 0; i < steps; i++) {
            try (MemoryScope step = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(net.forward(data.batch(0, 64)), data.labels(0, 64));
                loss.backward();
                opt.step();
            }
            if (i == 200) warm = rssKb();
            if (Boolean.getBoolean("memdebug") && i % 100 == 0) {
                Runtime rt = Runtime.getRuntime();
                System.out.println("step " + i + " rss " + rssKb() / 1024 + " MB heap " + (rt.totalMemory() - rt.freeMemory()) / (1 << 20) + "/" + rt.totalMemory() / (1 << 20)
                        + " MB pooled " + dev.efficientnet.core.backend.Backend.current().bytesAllocated() / (1 << 20) + " MB");
            }
        }
        long end = rssKb();
        double growth = (end - warm) / (double) warm;
        assertTrue(growth < 0.10, "RSS grew " + Math.round(growth * 100) + "% after warm-up (" + warm / 1024 + " MB -> " + end / 1024 + " MB)");
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
