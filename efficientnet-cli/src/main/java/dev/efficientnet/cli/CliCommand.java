package dev.efficientnet.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Base of every subcommand: gives {@link #out()} and {@link #err()}, the writers bound to the
 * streams passed to {@link Main#run}, and maps {@link #execute()} to picocli's {@link Callable}.
 */
public abstract class CliCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    /** Runs the command; returns the exit code (0 on success). */
    protected abstract int execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return execute();
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** Standard output (results). */
    protected final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Standard error (progress, warnings). */
    protected final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** This command's picocli model. */
    protected final CommandSpec spec() {
        return spec;
    }

    /** Throws a usage error unless {@code value >= min}. */
    protected static int requireAtLeast(String option, int value, int min) {
        if (value < min) throw CliException.usage(option + " must be >= " + min + ", got " + value);
        return value;
    }
}
