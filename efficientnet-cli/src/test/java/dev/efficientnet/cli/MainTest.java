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
    void unknownCommandOrOptionPrintsOneLineAndAPointerToHelp() {
        CliTestSupport.Run cmd = run("xyzzy");
        assertEquals(2, cmd.code(), cmd.describe());
        assertTrue(cmd.err().contains("xyzzy") && cmd.err().contains("'efficientnet --help'"), cmd.err());
        assertEquals(1, cmd.err().strip().lines().count(), cmd.err());
        assertEquals("", cmd.out());

        CliTestSupport.Run typo = run("trian");
        assertTrue(typo.err().contains("did you mean train"), typo.err());

        CliTestSupport.Run opt = run("summary", "efficientnet_b0", "--bogus");
        assertEquals(2, opt.code(), opt.describe());
        assertTrue(opt.err().contains("--bogus") && opt.err().contains("'efficientnet summary --help'"), opt.err());
        assertEquals(1, opt.err().strip().lines().count(), opt.err());
        assertEquals("", opt.out());

        CliTestSupport.Run number = run("train", "efficientnet_b0", "--epochs", "ten");
        assertEquals(2, number.code(), number.describe());
        assertTrue(number.err().contains("--epochs") && number.err().contains("ten"), number.err());
        assertEquals(1, number.err().strip().lines().count(), "not 90 lines of usage: " + number.err());
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
