package dev.efficientnet.cli;

import org.junit.jupiter.api.Test;

import static dev.efficientnet.cli.CliTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    @Test
    void rootHelpListsCommands() {
        CliTestSupport.Run r = run("--help");
        assertEquals(0, r.code(), r.describe());
        for (String c : new String[]{"summary", "compare", "bench", "Usage: efficientnet"})
            assertTrue(r.out().contains(c), "missing " + c + " in\n" + r.out());
    }

    @Test
    void subcommandHelpExitsZero() {
        for (String c : new String[]{"summary", "compare", "bench"}) {
            CliTestSupport.Run r = run(c, "--help");
            assertEquals(0, r.code(), r.describe());
            assertTrue(r.out().contains("Usage: efficientnet " + c), r.out());
            assertTrue(r.out().contains("efficientnet_v2_m"), "help lists the architectures:\n" + r.out());
        }
        assertEquals(0, run("help", "bench").code());
    }

    @Test
    void unknownCommandOrOptionPrintsUsageOnStderr() {
        CliTestSupport.Run cmd = run("xyzzy");
        assertEquals(2, cmd.code(), cmd.describe());
        assertTrue(cmd.err().contains("Usage: efficientnet"), cmd.err());
        assertEquals("", cmd.out());

        CliTestSupport.Run opt = run("summary", "efficientnet_b0", "--bogus");
        assertEquals(2, opt.code(), opt.describe());
        assertTrue(opt.err().contains("--bogus") && opt.err().contains("Usage: efficientnet summary"), opt.err());
        assertEquals("", opt.out());
    }

    @Test
    void noCommandIsUsageError() {
        CliTestSupport.Run r = run();
        assertEquals(2, r.code(), r.describe());
        assertTrue(r.err().contains("Usage: efficientnet"), r.err());
    }

    @Test
    void versionExitsZero() {
        CliTestSupport.Run r = run("--version");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().startsWith("efficientnet "), r.out());
    }
}
