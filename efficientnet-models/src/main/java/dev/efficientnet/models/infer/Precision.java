package dev.efficientnet.models.infer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The arithmetic of a compiled inference plan. {@link #FP32} everywhere; {@link #BF16} (bfloat16
 * activations and weights, float32 accumulation, biases and outputs) only where the CPU executes
 * bfloat16 natively (AVX512-BF16 or AMX), checked at run time: asking for it elsewhere fails rather
 * than silently running something else (decision D26).
 */
public enum Precision {
    /** float32 throughout (the default; matches the eager model within 1e-4). */
    FP32,
    /** bfloat16 activations and weights, float32 accumulation and outputs. */
    BF16;

    private static volatile Boolean bf16;

    /**
     * Parses {@code fp32}/{@code float32}, {@code bf16}/{@code bfloat16}, or {@code auto} (bf16 where
     * the CPU has it, else fp32).
     *
     * @param name the name
     * @throws IllegalArgumentException for another name, or bf16 on a CPU without native bfloat16
     * @return the precision
     */
    public static Precision parse(String name) {
        if (name == null) throw new IllegalArgumentException("precision is null");
        String n = name.trim().toLowerCase(Locale.ROOT);
        Precision p = switch (n) {
            case "fp32", "float32", "f32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "auto" -> cpuHasBf16() ? BF16 : FP32;
            default -> throw new IllegalArgumentException("unknown precision '" + name + "'; expected fp32, bf16 or auto");
        };
        p.requireSupported();
        return p;
    }

    /** {@return true when this CPU can run the precision natively} */
    public boolean supported() {
        return this == FP32 || cpuHasBf16();
    }

    /**
     * Checks that this CPU supports the precision.
     *
     * @throws IllegalArgumentException when {@link #supported()} is false, naming the missing CPU feature
     */
    public void requireSupported() {
        if (!supported())
            throw new IllegalArgumentException("precision bf16 needs a CPU with AVX512-BF16 or AMX-BF16 (/proc/cpuinfo flags "
                    + "avx512_bf16 / amx_bf16); this CPU has neither: use fp32");
    }

    /** {@return true when /proc/cpuinfo lists {@code avx512_bf16} or {@code amx_bf16} (false when unreadable)} */
    public static boolean cpuHasBf16() {
        Boolean b = bf16;
        if (b == null) {
            boolean found = false;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        found = (" " + line + " ").matches(".*\\s(avx512_bf16|amx_bf16)\\s.*");
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                found = false;
            }
            bf16 = b = found;
        }
        return b;
    }
}
