package dev.efficientnet.models.weights;

import dev.efficientnet.core.autograd.GradMode;
import dev.efficientnet.core.tensor.MemoryScope;
import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.image.ImageInterpolation;
import dev.efficientnet.models.image.ImagePreprocessing;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.Preprocessing;
import dev.efficientnet.models.spec.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of docs/weights.md, run on a scaled fixture and a synthetic image, so the guide stays compilable and true. */
class DocsExampleTest {
    @TempDir
    Path tmp;

    @Test
    void loadPreprocessPredictExport() throws Exception {
        BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 60; y++) for (int x = 0; x < 80; x++) img.setRGB(x, y, (x * 3) << 16 | (y * 4) << 8 | (x + y));
        Path photo = tmp.resolve("photo.png");
        ImageIO.write(img, "png", photo.toFile());
        Path checkpoint = Fixtures.get(Fixtures.TIMM_B0).weightsFile();

        // --- as in docs/weights.md, with the fixture's multipliers and class count
        ModelSpec spec = Presets.get("tf_efficientnet_b0", 0.25, 0.5, 10);
        EfficientNet model = EfficientNet.create(spec);
        LoadResult result = Weights.load(model, checkpoint);
        model.eval();

        Preprocessing p = spec.preprocessing();
        ImagePreprocessing pre = ImagePreprocessing.of(spec.evalResolution(), p.cropFraction(),
                ImageInterpolation.valueOf(p.interpolation().name()),
                p.mean().stream().mapToDouble(Double::doubleValue).toArray(),
                p.std().stream().mapToDouble(Double::doubleValue).toArray());
        Tensor x = pre.load(List.of(photo));
        float[] probs;
        try (GradMode g = GradMode.disabled(); MemoryScope step = MemoryScope.open()) {
            probs = model.forward(x).softmax().toFloatArray();
        }
        Path out = tmp.resolve("exported.safetensors");
        Weights.save(model, out, Naming.TIMM);
        // ---

        assertEquals(Naming.TIMM, result.naming());
        assertArrayEquals(new int[]{1, 3, 224, 224}, x.shape());
        assertEquals(10, probs.length);
        double sum = 0;
        for (float v : probs) sum += v;
        assertEquals(1, sum, 1e-5);
        EfficientNet again = EfficientNet.create(spec, 3);
        Weights.load(again, out);
        again.eval();
        try (GradMode g = GradMode.disabled()) {
            assertArrayEquals(probs, again.forward(x).softmax().toFloatArray(), 0f);
        }
    }
}
