package dev.efficientnet.cli;

import dev.efficientnet.core.backend.MixedPrecision;

import java.util.Locale;

/** The {@code --precision} of {@code train} and {@code bench --train}: fp32, or bf16 where the CPU has it (D28). */
final class TrainPrecision {
    private TrainPrecision() {
    }

    /**
     * True for bf16, false for fp32.
     *
     * @throws CliException a usage error for another name, or bf16 on a CPU without native bfloat16
     */
    static boolean parse(String name) {
        String n = name == null ? "fp32" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "fp32", "float32" -> {
                return false;
            }
            case "bf16", "bfloat16" -> {
                if (!MixedPrecision.bf16Supported())
                    throw CliException.usage("--precision bf16 needs a CPU with AVX512-BF16 or AMX (/proc/cpuinfo flags "
                            + "avx512_bf16 / amx_bf16) and oneDNN; this one has neither: use fp32");
                return true;
            }
            default -> throw CliException.usage("--precision: unknown precision '" + name + "' for training; expected fp32 or bf16");
        }
    }
}
