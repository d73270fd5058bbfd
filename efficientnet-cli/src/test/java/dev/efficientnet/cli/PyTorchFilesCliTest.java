package dev.efficientnet.cli;

import dev.efficientnet.models.EfficientNet;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.weights.Naming;
import dev.efficientnet.models.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static dev.efficientnet.cli.ReliabilityCliTest.assertUsage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Issue 17: a PyTorch {@code .pt/.pth} zip is no longer "a corrupt safetensors file". A state dict
 * (or a training checkpoint holding one) is read directly by {@code predict}, {@code infer} and
 * {@code eval} (i19's reader) and gives the same answers as its safetensors twin; a pickled module
 * (code, not tensors) is refused in one line that says what to do.
 */
class PyTorchFilesCliTest {
    @TempDir
    Path tmp;

    static final String[] SHAPE = {"--width-mult", "0.25", "--depth-mult", "0.1", "--num-classes", "5"};

    private String[] with(String cmd, String... tail) {
        String[] a = new String[2 + SHAPE.length + tail.length];
        a[0] = cmd;
        a[1] = "efficientnet_b0";
        System.arraycopy(SHAPE, 0, a, 2, SHAPE.length);
        System.arraycopy(tail, 0, a, 2 + SHAPE.length, tail.length);
        return a;
    }

    @Test
    void pthWeightsWorkEverywhereAndPickledModulesAreRefusedWithWhatToDo() throws Exception {
        Path st = tmp.resolve("tiny.safetensors");
        Weights.save(EfficientNet.create(Presets.get("efficientnet_b0", 0.25, 0.1, 5), 1), st, Naming.TIMM);
        Path pth = tmp.resolve("tiny.pth");
        CliTestSupport.Run c = CliTestSupport.run("convert", st.toString(), pth.toString());
        assertEquals(0, c.code(), c.describe());

        Path data = StreamsAndValuesCliTest.ReliabilityDataHolder.dataIn(tmp);
        String[] evalTail = {"--data", data.toString(), "--resolution", "24", "--batch", "8", "--no-confusion", "--json"};
        CliTestSupport.Run a = CliTestSupport.run(with("eval", concat(new String[]{"--weights", st.toString()}, evalTail)));
        CliTestSupport.Run b = CliTestSupport.run(with("eval", concat(new String[]{"--weights", pth.toString()}, evalTail)));
        assertEquals(0, a.code(), a.describe());
        assertEquals(0, b.code(), b.describe());
        assertEquals(a.lastJson().get("test_loss"), b.lastJson().get("test_loss"), "same weights, same loss");
        assertFalse(b.err().contains("safetensors"), "not reported as a safetensors file: " + b.describe());

        // torch.save(model): a pickle that names a class (code), not a state dict
        Path module = tmp.resolve("module.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(module))) {
            byte[] pkl = ("\u0080\u0002ctorch.nn.modules.container\nSequential\nq\u0000)\u0081q\u0001.").getBytes(StandardCharsets.ISO_8859_1);
            stored(z, "module/data.pkl", pkl);
            stored(z, "module/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        String png = StreamsAndValuesCliTest.ReliabilityDataHolder.anImage(data).toString();
        CliTestSupport.Run r = CliTestSupport.run(with("predict", "--weights", module.toString(), png));
        assertUsage(r, "module.pt", "Sequential", "state dict");
        assertFalse(r.err().contains("safetensors"), r.describe());
    }

    /** An uncompressed entry, as torch.save writes them. */
    private static void stored(ZipOutputStream z, String name, byte[] bytes) throws java.io.IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(bytes);
        z.closeEntry();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
