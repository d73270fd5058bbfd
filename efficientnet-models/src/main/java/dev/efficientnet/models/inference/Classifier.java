package dev.efficientnet.models.inference;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.DType;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.image.ImageInterpolation;
import dev.efficientnet.models.image.ImagePreprocessing;
import dev.efficientnet.models.image.ImageReadException;
import dev.efficientnet.models.image.Images;
import dev.efficientnet.models.image.RgbImage;
import dev.efficientnet.models.infer.Precision;
import dev.efficientnet.models.spec.Interpolation;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Preprocessing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A thread-safe image classifier: one loaded {@link EfficientNet} in eval mode, its eval
 * preprocessing and optional class labels. One instance serves any number of threads at once.
 *
 * <pre>{@code
 * EfficientNet model = EfficientNet.create(Presets.get("efficientnet_b0"));
 * Weights.load(model, Path.of("efficientnet_b0.safetensors"));
 * Classifier classifier = Classifier.of(model, Labels.read(Path.of("imagenet_classes.txt")));
 * for (Prediction p : classifier.topK(Path.of("cat.jpg"), 5))
 *     System.out.printf("%s %.3f%n", p.label(), p.probability());
 * }</pre>
 *
 * <p>Every call validates its input before any native work (messages name the parameter), then
 * runs the model's compiled inference plan ({@link EfficientNet#inferencePlans()}, decision D25:
 * one plan per input shape and concurrent caller, no per-call native allocation) and copies the
 * results into Java arrays, so calls share nothing mutable and the off-heap footprint stays flat.
 * Where no plan can be built it runs the eager model under {@link GradMode#disabled()} in its own
 * {@link MemoryScope}. Results are bit-identical whether calls run on one thread or many.
 *
 * <p>The classifier puts the model in eval mode and relies on it staying there: training it (or
 * changing its weights) while the classifier is in use is not supported, and a call made after
 * the model was switched back to training mode fails with {@link IllegalStateException} rather
 * than silently updating batch-norm statistics.
 */
public final class Classifier {
    private final EfficientNet model;
    private final ImagePreprocessing preprocessing;
    private final List<String> labels;
    private final int numClasses;
    private final int inChannels;
    private final String name;
    private final Precision precision;

    private Classifier(EfficientNet model, ImagePreprocessing preprocessing, List<String> labels) {
        this(model, preprocessing, labels, Precision.FP32);
    }

    private Classifier(EfficientNet model, ImagePreprocessing preprocessing, List<String> labels, Precision precision) {
        notNull(model, "model");
        notNull(preprocessing, "preprocessing");
        ModelSpec spec = model.spec();
        if (spec.numClasses() < 1)
            throw new IllegalArgumentException("model " + spec.name() + " has no classifier (numClasses 0); "
                    + "use EfficientNet.forwardPreLogits for embeddings");
        if (labels != null) {
            if (labels.size() != spec.numClasses())
                throw new IllegalArgumentException("labels has " + labels.size() + " entries but model " + spec.name()
                        + " has " + spec.numClasses() + " classes");
            for (int i = 0; i < labels.size(); i++)
                if (labels.get(i) == null) throw new IllegalArgumentException("labels[" + i + "] is null");
        }
        this.model = model;
        this.preprocessing = preprocessing;
        this.labels = labels == null ? null : List.copyOf(labels);
        this.numClasses = spec.numClasses();
        this.inChannels = spec.inChannels();
        this.name = spec.name();
        this.precision = precision;
        model.eval();
    }

    /**
     * This classifier computing in {@code precision} (decision D26): {@link Precision#BF16} runs
     * bfloat16 kernels where the CPU has them (AVX512-BF16/AMX) and is refused elsewhere; logits
     * then differ from float32 by ~1e-2 relative and the top-1 class can change on close calls.
     *
     * @throws IllegalArgumentException when this CPU cannot run {@code precision}
     */
    public Classifier withPrecision(Precision precision) {
        notNull(precision, "precision");
        precision.requireSupported();
        if (precision != Precision.FP32 && !model.inferencePlans().usable())
            throw new IllegalArgumentException("precision " + precision + " needs a compiled inference plan, which is "
                    + "unavailable here (" + (model.inferencePlans().unsupportedReason() == null ? "oneDNN not loaded or plans disabled"
                    : model.inferencePlans().unsupportedReason()) + ")");
        return new Classifier(model, preprocessing, labels, precision);
    }

    /** The arithmetic of the forward pass ({@link Precision#FP32} unless {@link #withPrecision} chose another). */
    public Precision precision() {
        return precision;
    }

    /** A classifier with the model's eval preprocessing ({@link #evalPreprocessing}) and no labels. */
    public static Classifier of(EfficientNet model) {
        return of(model, null);
    }

    /** A classifier with the model's eval preprocessing and {@code labels} (one per class, or null). */
    public static Classifier of(EfficientNet model, List<String> labels) {
        notNull(model, "model");
        return new Classifier(model, evalPreprocessing(model.spec()), labels);
    }

    /** A classifier with explicit preprocessing and {@code labels} (one per class, or null). */
    public static Classifier of(EfficientNet model, ImagePreprocessing preprocessing, List<String> labels) {
        return new Classifier(model, preprocessing, labels);
    }

    /**
     * The eval transform of {@code spec}: its {@link ModelSpec#evalResolution() eval resolution},
     * crop fraction, interpolation and mean/std ({@link ModelSpec#preprocessing()}).
     */
    public static ImagePreprocessing evalPreprocessing(ModelSpec spec) {
        notNull(spec, "spec");
        Preprocessing p = spec.preprocessing();
        if (p.mean().size() != 3)
            throw new IllegalArgumentException(spec.name() + ": image preprocessing needs 3 channel means, the spec has " + p.mean().size());
        return ImagePreprocessing.of(spec.evalResolution(), p.cropFraction(), interpolation(p.interpolation()),
                p.mean().stream().mapToDouble(Double::doubleValue).toArray(),
                p.std().stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The image resampling filter of a spec's interpolation. */
    public static ImageInterpolation interpolation(Interpolation interpolation) {
        notNull(interpolation, "interpolation");
        return switch (interpolation) {
            case BILINEAR -> ImageInterpolation.BILINEAR;
            case BICUBIC -> ImageInterpolation.BICUBIC;
        };
    }

    // ---- accessors ----------------------------------------------------------------------------

    /** The wrapped model (in eval mode; do not train it while the classifier is in use). */
    public EfficientNet model() {
        return model;
    }

    /** The image preprocessing. */
    public ImagePreprocessing preprocessing() {
        return preprocessing;
    }

    /** The labels (one per class), or null. */
    public List<String> labels() {
        return labels;
    }

    /** Number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Input channels the model takes. */
    public int inChannels() {
        return inChannels;
    }

    // ---- tensors ------------------------------------------------------------------------------

    /**
     * Logits {@code [N][numClasses]} of an NCHW batch {@code [N, inChannels, H, W]} (any H, W;
     * float32 or float64, finite values).
     *
     * @throws IllegalArgumentException naming {@code nchw} for a wrong rank, channel count, an
     *                                  empty batch or spatial size, or a NaN/infinite value
     */
    public float[][] logits(Tensor nchw) {
        return rows(run(checkTensor(nchw), false), numClasses);
    }

    /**
     * Logits of a batch given as a flat row-major NCHW array {@code [batch, inChannels, height, width]}.
     *
     * @throws IllegalArgumentException naming the parameter for a non-positive size, a length that
     *                                  does not match, or a NaN/infinite value
     */
    public float[][] logits(float[] nchw, int batch, int height, int width) {
        return rows(runArray(nchw, batch, height, width, false), numClasses);
    }

    /** Softmax probabilities {@code [N][numClasses]} of an NCHW batch (see {@link #logits(Tensor)}). */
    public float[][] probabilities(Tensor nchw) {
        return softmaxRows(logits(nchw));
    }

    /** Softmax probabilities of a flat NCHW batch (see {@link #logits(float[], int, int, int)}). */
    public float[][] probabilities(float[] nchw, int batch, int height, int width) {
        return softmaxRows(logits(nchw, batch, height, width));
    }

    /** Pooled pre-logits features {@code [N][headChannels]} of an NCHW batch (see {@link #logits(Tensor)}). */
    public float[][] features(Tensor nchw) {
        return rows(run(checkTensor(nchw), true), model.spec().headChannels());
    }

    /** The {@code k} most probable classes of each sample of an NCHW batch, most probable first. */
    public List<List<Prediction>> topK(Tensor nchw, int k) {
        checkK(k);
        return topKRows(probabilities(nchw), k);
    }

    // ---- images -------------------------------------------------------------------------------

    /** Softmax probabilities of one image after {@link #preprocessing()}. */
    public float[] probabilities(RgbImage image) {
        notNull(image, "image");
        return probabilitiesOfImages(List.of(image))[0];
    }

    /** Softmax probabilities {@code [N][numClasses]} of a batch of images (of any sizes). */
    public float[][] probabilitiesOfImages(List<RgbImage> images) {
        checkImages(images);
        requireRgbModel();
        return softmaxRows(rows(runImages(images), numClasses));
    }

    /**
     * The {@code k} most probable classes of an image, most probable first ({@code k} above the
     * class count returns every class).
     */
    public List<Prediction> topK(RgbImage image, int k) {
        notNull(image, "image");
        return topKImages(List.of(image), k).get(0);
    }

    /** Reads an image file and returns its {@code k} most probable classes. */
    public List<Prediction> topK(Path imageFile, int k) throws ImageReadException {
        notNull(imageFile, "imageFile");
        return topKFiles(List.of(imageFile), k).get(0);
    }

    /** The top {@code k} of each image of a batch (images of any sizes), in input order. */
    public List<List<Prediction>> topKImages(List<RgbImage> images, int k) {
        checkK(k);
        return topKRows(probabilitiesOfImages(images), k);
    }

    /**
     * Reads image files and returns the top {@code k} of each, in input order. All files are read
     * (and a bad one reported, naming it) before the model runs.
     */
    public List<List<Prediction>> topKFiles(List<Path> imageFiles, int k) throws ImageReadException {
        checkK(k);
        notNull(imageFiles, "imageFiles");
        if (imageFiles.isEmpty()) throw new IllegalArgumentException("imageFiles is empty; need at least one image file");
        List<RgbImage> images = new ArrayList<>(imageFiles.size());
        for (int i = 0; i < imageFiles.size(); i++)
            images.add(Images.read(notNull(imageFiles.get(i), "imageFiles[" + i + "]")));
        return topKImages(images, k);
    }

    // ---- helpers (static, pure Java) -----------------------------------------------------------

    /** A numerically stable softmax of one row of logits (computed in double precision). */
    public static float[] softmax(float[] logits) {
        notNull(logits, "logits");
        if (logits.length == 0) throw new IllegalArgumentException("logits is empty");
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double[] e = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) p[i] = (float) (e[i] / sum);
        return p;
    }

    /**
     * The {@code k} largest entries of {@code probabilities} as predictions, largest first (ties:
     * lower class index first); {@code labels} may be null.
     */
    public static List<Prediction> topK(float[] probabilities, int k, List<String> labels) {
        notNull(probabilities, "probabilities");
        checkK(k);
        if (labels != null && labels.size() != probabilities.length)
            throw new IllegalArgumentException("labels has " + labels.size() + " entries for " + probabilities.length + " classes");
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(probabilities[b], probabilities[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int n = Math.min(k, order.length);
        List<Prediction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = order[i];
            out.add(new Prediction(c, labels == null ? null : labels.get(c), probabilities[c]));
        }
        return List.copyOf(out);
    }

    // ---- internals ----------------------------------------------------------------------------

    private List<List<Prediction>> topKRows(float[][] probs, int k) {
        List<List<Prediction>> out = new ArrayList<>(probs.length);
        for (float[] p : probs) out.add(topK(p, k, labels));
        return List.copyOf(out);
    }

    private static float[][] softmaxRows(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) out[i] = softmax(logits[i]);
        return out;
    }

    private static float[][] rows(float[] flat, int width) {
        int n = flat.length / width;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        return out;
    }

    /** Forward pass of a validated input: logits or pooled features, copied out of the scope. */
    private float[] run(Tensor x, boolean featuresOnly) {
        checkEvalMode();
        try (GradMode g = GradMode.disabled(); MemoryScope scope = MemoryScope.open()) {
            return forward(x.dtype() == DType.FLOAT32 ? x : x.to(DType.FLOAT32), featuresOnly);
        }
    }

    private float[] forward(Tensor x, boolean featuresOnly) {
        float[] planned = model.inferencePlans().run(x, featuresOnly, precision);
        if (planned != null) return planned;
        requireFloat32Fallback();
        Tensor features = model.forwardPreLogits(x);
        return (featuresOnly ? features : model.forwardHead(features)).toFloatArray();
    }

    private float[] runArray(float[] data, int batch, int height, int width, boolean featuresOnly) {
        notNull(data, "nchw");
        checkPositive("batch", batch);
        checkPositive("height", height);
        checkPositive("width", width);
        long expected = (long) batch * inChannels * height * width;
        if (data.length != expected)
            throw new IllegalArgumentException("nchw has " + data.length + " values but [batch=" + batch + ", channels="
                    + inChannels + ", height=" + height + ", width=" + width + "] needs " + expected);
        checkFinite(data, new int[]{batch, inChannels, height, width});
        checkEvalMode();
        float[] planned = model.inferencePlans().run(data, batch, height, width, featuresOnly, precision);
        if (planned != null) return planned;
        requireFloat32Fallback();
        try (GradMode g = GradMode.disabled(); MemoryScope scope = MemoryScope.open()) {
            return forward(Tensor.of(data, batch, inChannels, height, width), featuresOnly);
        }
    }

    private float[] runImages(List<RgbImage> images) {
        checkEvalMode();
        try (GradMode g = GradMode.disabled(); MemoryScope scope = MemoryScope.open()) {
            return forward(preprocessing.apply(images), false);
        }
    }

    /** Never a silent precision change: without a plan only float32 can run. */
    private void requireFloat32Fallback() {
        if (precision != Precision.FP32)
            throw new IllegalStateException("precision " + precision + " needs a compiled inference plan, which could not be "
                    + "built for model " + name + " (" + model.inferencePlans().unsupportedReason() + ")");
    }

    private void checkEvalMode() {
        if (model.isTraining())
            throw new IllegalStateException("model " + name + " was switched to training mode after this Classifier was "
                    + "built; a Classifier needs the model in eval mode (call model.eval(), and do not train a model "
                    + "that serves requests)");
    }

    private Tensor checkTensor(Tensor nchw) {
        if (nchw == null) throw new IllegalArgumentException("nchw is null");
        int[] s = nchw.shape();
        if (s.length != 4)
            throw new IllegalArgumentException("nchw must have rank 4 [N, " + inChannels + ", H, W], got shape " + Arrays.toString(s));
        if (s[1] != inChannels)
            throw new IllegalArgumentException("nchw has " + s[1] + " channels (shape " + Arrays.toString(s) + ") but model "
                    + name + " takes " + inChannels);
        if (s[0] < 1)
            throw new IllegalArgumentException("nchw has a batch of 0 (shape " + Arrays.toString(s) + "); need at least one sample");
        if (s[2] < 1 || s[3] < 1)
            throw new IllegalArgumentException("nchw has an empty image (shape " + Arrays.toString(s) + "); height and width must be >= 1");
        if (nchw.numel() > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("nchw is too large (" + nchw.numel() + " values, shape " + Arrays.toString(s) + ")");
        if (nchw.dtype() == DType.FLOAT64) checkFinite(nchw.toDoubleArray(), s);
        else checkFinite(nchw.toFloatArray(), s);
        return nchw;
    }

    private static void checkFinite(float[] v, int[] shape) {
        for (int i = 0; i < v.length; i++) if (!Float.isFinite(v[i])) throw notFinite(v[i], i, shape);
    }

    private static void checkFinite(double[] v, int[] shape) {
        for (int i = 0; i < v.length; i++) if (!Double.isFinite(v[i])) throw notFinite(v[i], i, shape);
    }

    private static IllegalArgumentException notFinite(double value, int index, int[] shape) {
        int w = shape[3], h = shape[2], c = shape[1];
        int x = index % w, y = index / w % h, ch = index / w / h % c, n = index / w / h / c;
        return new IllegalArgumentException("nchw holds " + value + " at [" + n + ", " + ch + ", " + y + ", " + x
                + "] (shape " + Arrays.toString(shape) + "); inputs must be finite");
    }

    private static <T> T notNull(T value, String parameter) {
        if (value == null) throw new IllegalArgumentException(parameter + " is null");
        return value;
    }

    private static void checkPositive(String parameter, int value) {
        if (value < 1) throw new IllegalArgumentException(parameter + " must be >= 1, got " + value);
    }

    private static void checkK(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    }

    private static void checkImages(List<RgbImage> images) {
        notNull(images, "images");
        if (images.isEmpty()) throw new IllegalArgumentException("images is empty; need at least one image");
        for (int i = 0; i < images.size(); i++) notNull(images.get(i), "images[" + i + "]");
    }

    private void requireRgbModel() {
        if (inChannels != 3)
            throw new IllegalArgumentException("model " + name + " takes " + inChannels + " input channels; images are RGB "
                    + "(3 channels): pass tensors to logits/probabilities instead");
    }

    @Override
    public String toString() {
        return "Classifier[" + name + ", " + numClasses + " classes" + (labels == null ? "" : " (labelled)") + ", " + preprocessing + "]";
    }
}
