package dev.efficientnet.cli;

import dev.efficientnet.core.io.Json;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs {@link Main#run} in-process and captures its streams. */
final class CliTestSupport {
    private CliTestSupport() {
    }

    /** Exit code and captured output of one run. */
    record Run(int code, String out, String err) {
        /** The last non-empty stdout line parsed as a JSON object. */
        Map<String, Object> lastJson() {
            String[] lines = out.strip().split("\\R");
            return Json.parseObject(lines[lines.length - 1]);
        }

        /** For assertion messages. */
        String describe() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
