package dev.efficientnet.cli;

import picocli.CommandLine;

import dev.efficientnet.cli.safety.Failures;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the {@code efficientnet} command. {@link #run} does all the work and returns the
 * exit code (0 success, 1 runtime failure, 2 usage error); only {@link #main} exits the JVM.
 */
public final class Main {
    private Main() {
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs {@code args} printing to {@code out} and {@code err}; returns the exit code. Every failure
     * is one line on {@code err} (see {@link Failures}): usage and input errors return 2, anything else
     * 1. A bad option value prints the error and a pointer to {@code --help}. {@code --debug} (anywhere
     * on the line) or {@code EFFICIENTNET_DEBUG=1} adds the stack trace of unexpected failures.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        List<String> list = new ArrayList<>(args == null ? List.of() : Arrays.asList(args));
        boolean debug = list.remove("--debug") | Failures.debugFromEnvironment();
        while (list.remove("--debug")) {
            // all of them
        }
        try {
            return commandLine(outWriter, errWriter, debug).execute(list.toArray(new String[0]));
        } catch (Throwable t) { // an Error escaping picocli (OutOfMemoryError, StackOverflowError)
            return report(errWriter, "efficientnet: ", t, debug);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The configured picocli command tree writing to {@code out}/{@code err}. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, Failures.debugFromEnvironment());
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean debug) {
        CommandLine cmd = new CommandLine(new EfficientNetCommand());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> report(commandLine.getErr(), prefix(commandLine), ex, debug));
        cmd.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter e = c.getErr();
            String name = c.getCommandName().equals("efficientnet") ? "efficientnet" : "efficientnet " + c.getCommandName();
            String hint = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty())
                hint = "; did you mean " + String.join(" or ", u.getSuggestions().subList(0, Math.min(3, u.getSuggestions().size()))) + "?";
            e.println(prefix(c) + Failures.oneLine(ex.getMessage()) + hint + " (see '" + name + " --help')");
            e.flush();
            return CliException.USAGE;
        });
        return cmd;
    }

    private static String prefix(CommandLine commandLine) {
        return commandLine.getCommandName().equals("efficientnet") ? "efficientnet: " : "efficientnet " + commandLine.getCommandName() + ": ";
    }

    private static int report(PrintWriter e, String prefix, Throwable ex, boolean debug) {
        Failures.Outcome o = Failures.classify(ex);
        e.println(prefix + Failures.oneLine(o.message()));
        if (debug) ex.printStackTrace(e);
        e.flush();
        return o.exitCode();
    }
}
