package dev.efficientnet.cli;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;

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
     * Runs {@code args} printing to {@code out} and {@code err}; returns the exit code. Unknown
     * commands and options print the usage on {@code err} and return 2; {@link CliException}s
     * print their one-line message on {@code err} and return their code; other failures print
     * the exception on {@code err} and return 1.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        try {
            return commandLine(outWriter, errWriter).execute(args == null ? new String[0] : args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The configured picocli command tree writing to {@code out}/{@code err}. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new EfficientNetCommand());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            String prefix = "efficientnet " + commandLine.getCommandName() + ": ";
            if (commandLine.getCommandName().equals("efficientnet")) prefix = "efficientnet: ";
            if (ex instanceof CliException ce) {
                e.println(prefix + ce.getMessage());
                e.flush();
                return ce.exitCode();
            }
            e.println(prefix + "error: " + ex);
            ex.printStackTrace(e);
            e.flush();
            return CliException.FAILURE;
        });
        return cmd;
    }
}
