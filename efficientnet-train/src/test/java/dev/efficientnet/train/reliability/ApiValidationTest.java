package dev.efficientnet.train.reliability;

import dev.efficientnet.core.backend.Backend;
import dev.efficientnet.core.backend.Backends;
import dev.efficientnet.core.ops.Conv2dOptions;
import dev.efficientnet.core.ops.Convolution;
import dev.efficientnet.core.ops.Linear;
import dev.efficientnet.core.ops.Padding;
import dev.efficientnet.core.ops.Pooling;
import dev.efficientnet.core.ops.ShapeOps;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.image.ImagePreprocessing;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.image.RgbImage;
import dev.efficientnet.models.inference.Classifier;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.train.TrainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shape, dtype and value errors at the public API are rejected with an
 * {@link IllegalArgumentException} naming the parameter, before any backend (native) call: the
 * backend is wrapped in a counting proxy and every case must leave the count at zero (reading the
 * caller's own input to check it for NaN is allowed).
 */
class ApiValidationTest {
    private static final AtomicInteger CALLS = new AtomicInteger();
    private static final List<String> CALLED = new ArrayList<>();
    private static final Set<String> READS = Set.of("readFloats", "readDoubles", "bytesAllocated");
    private static Backend original;

    private static EfficientNet model;
    private static Classifier classifier;

    @BeforeAll
    static void installCountingBackend() {
        original = Backend.current();
        Backend real = original;
        Backend counting = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class},
                (proxy, method, args) -> {
                    if (!READS.contains(method.getName()) && method.getDeclaringClass() != Object.class) {
                        CALLS.incrementAndGet();
                        synchronized (CALLED) {
                            if (CALLED.size() < 8) CALLED.add(method.getName());
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Backends.install(counting);
        ModelSpec spec = Presets.get("efficientnet_b0").withWidthDepth(0.25, 0.1).withNumClasses(5);
        model = EfficientNet.create(spec, 1);
        classifier = Classifier.of(model);
    }

    @AfterAll
    static void restoreBackend() {
        Backends.install(original);
    }

    private record Case(String name, String mustMention, Runnable call) {
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyNativeCallNamingTheParameter() {
        Tensor x3 = Tensor.zeros(1, 3, 8, 8);
        Tensor nhwc = Tensor.zeros(1, 8, 8, 4);
        Tensor w = Tensor.zeros(3, 3, 4, 6);
        Tensor nan = Tensor.of(nanAt(3 * 8 * 8, 17), 1, 3, 8, 8);
        Tensor inf = Tensor.of(nanAt(3 * 8 * 8, -1), 1, 3, 8, 8);
        Tensor empty = Tensor.zeros(0, 3, 8, 8);
        Tensor gray = Tensor.zeros(2, 1, 8, 8);
        Tensor flat = Tensor.zeros(2, 7);
        Tensor weight = Tensor.zeros(5, 8);
        Tensor rank3 = Tensor.zeros(3, 8, 8);
        List<Case> cases = List.of(
                new Case("Tensor.zeros(-1)", "negative dimension", () -> Tensor.zeros(-1)),
                new Case("Tensor.zeros(2, -3)", "shape", () -> Tensor.zeros(2, -3)),
                new Case("Tensor.zeros(65536, 65536)", "2^31", () -> Tensor.zeros(65536, 65536)),
                new Case("Tensor.of wrong length", "data", () -> Tensor.of(new float[5], 2, 3)),
                new Case("Tensor.full negative", "negative", () -> Tensor.full(DType.FLOAT32, 1, 3, -1)),
                new Case("Conv2dOptions stride 0", "stride", () -> Conv2dOptions.of(0, Padding.same())),
                new Case("Conv2dOptions stride -1", "stride", () -> Conv2dOptions.same(-1)),
                new Case("Conv2dOptions dilation 0", "dilation", () -> Conv2dOptions.same(1).withDilation(0)),
                new Case("Conv2dOptions groups 0", "groups", () -> Conv2dOptions.same(1).withGroups(0)),
                new Case("conv2d wrong channels", "channels", () -> Convolution.conv2d(x3, w, Conv2dOptions.same(1))),
                new Case("conv2d groups not dividing", "groups", () -> Convolution.conv2d(nhwc, w, Conv2dOptions.same(1).withGroups(3))),
                new Case("maxPool2d kernel 0", "kernel", () -> Pooling.maxPool2d(nhwc, 0, Conv2dOptions.same(1))),
                new Case("linear wrong features", "", () -> Linear.linear(flat, weight, null)),
                new Case("reshape wrong count", "shape", () -> ShapeOps.reshape(flat, 3, 5)),
                new Case("reshape negative", "", () -> ShapeOps.reshape(flat, -2, -7)),
                new Case("unknown preset", "efficientnet_b42", () -> Presets.get("efficientnet_b42")),
                new Case("unknown preset in TrainConfig", "efficientnet_b42", () -> TrainConfig.builder("efficientnet_b42").build()),
                new Case("TrainConfig batch 0", "batch", () -> TrainConfig.builder("efficientnet_b0").batchSize(0).build()),
                new Case("TrainConfig lr NaN", "lr", () -> TrainConfig.builder("efficientnet_b0").lr(Double.NaN).build()),
                new Case("model.forward wrong channels", "channels", () -> model.forward(gray)),
                new Case("model.forward batch 0", "batch", () -> model.forward(empty)),
                new Case("model.forward rank 3", "shape", () -> model.forward(rank3)),
                new Case("classifier wrong channels", "nchw", () -> classifier.logits(gray)),
                new Case("classifier batch 0", "batch", () -> classifier.logits(empty)),
                new Case("classifier NaN", "nchw", () -> classifier.logits(nan)),
                new Case("classifier infinity", "nchw", () -> classifier.logits(inf)),
                new Case("classifier null", "nchw", () -> classifier.logits((Tensor) null)),
                new Case("classifier array batch 0", "batch", () -> classifier.logits(new float[0], 0, 8, 8)),
                new Case("classifier array negative height", "height", () -> classifier.logits(new float[0], 1, -8, 8)),
                new Case("classifier array wrong length", "nchw", () -> classifier.logits(new float[10], 1, 8, 8)),
                new Case("classifier array NaN", "nchw", () -> classifier.logits(nanAt(3 * 8 * 8, 5), 1, 8, 8)),
                new Case("classifier topK 0", "k", () -> classifier.topK(x3, 0)),
                new Case("classifier empty image list", "images", () -> classifier.probabilitiesOfImages(List.of())),
                new Case("image preprocessing size 0", "", () -> ImagePreprocessing.of(0, 0.875,
                        dev.efficientnet.models.image.ImageInterpolation.BICUBIC, new double[]{0, 0, 0}, new double[]{1, 1, 1})),
                new Case("RgbImage negative width", "width", () -> RgbImage.filled(-1, 2, 0, 0, 0)),
                new Case("Images.read maxPixels 0", "maxPixels", () -> {
                    try {
                        Images.read(Path.of("x.png"), 0);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }));
        List<String> problems = new ArrayList<>();
        for (Case c : cases) {
            int before = CALLS.get();
            synchronized (CALLED) {
                CALLED.clear();
            }
            try {
                c.call.run();
                problems.add(c.name + ": accepted");
                continue;
            } catch (IllegalArgumentException e) {
                String m = String.valueOf(e.getMessage());
                if (!m.toLowerCase().contains(c.mustMention.toLowerCase()))
                    problems.add(c.name + ": message does not mention '" + c.mustMention + "': " + m);
            } catch (Throwable e) {
                problems.add(c.name + ": threw " + e + " instead of IllegalArgumentException");
            }
            int calls = CALLS.get() - before;
            if (calls > 0) problems.add(c.name + ": " + calls + " backend call(s) before the rejection " + CALLED);
        }
        System.out.println("[ApiValidationTest] " + cases.size() + " bad-argument cases, " + problems.size() + " problems");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static float[] nanAt(int n, int index) {
        float[] a = new float[n];
        if (index >= 0) a[index] = Float.NaN;
        else a[n - 1] = Float.POSITIVE_INFINITY;
        return a;
    }

    @Test
    void countingBackendSeesRealWork() {
        int before = CALLS.get();
        // the eager model (gradients on, inside a scope): Classifier calls run the compiled inference
        // plan, whose oneDNN primitives do not go through the Backend interface
        try (MemoryScope scope = MemoryScope.open()) {
            model.forward(Tensor.zeros(1, 3, 8, 8));
        }
        assertTrue(CALLS.get() - before > 10, "the counting backend must see the forward pass: " + Arrays.toString(CALLED.toArray()));
    }
}
