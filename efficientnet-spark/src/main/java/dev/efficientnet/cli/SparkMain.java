package dev.efficientnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * Entry point of {@code efficientnet spark ...} (the launcher runs it with the Spark jars on the
 * class path; under {@code spark-submit} it is the main class). {@link #run} returns the exit code
 * (0 success, 1 runtime failure, 2 usage error); only {@link #main} exits the JVM.
 */
public final class SparkMain {
    private SparkMain() {
    }

    /** The {@code efficientnet spark} command group. */
    @Command(name = "spark", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            header = "Batch inference and data-parallel training on Apache Spark.",
            subcommands = {SparkPredictCommand.class, SparkTrainCommand.class, CommandLine.HelpCommand.class},
            footer = {"", "Exit codes: 0 success, 1 failure, 2 usage error."})
    public static final class SparkCommand extends CliCommand {
        /** Creates the command. */
        public SparkCommand() {
        }

        @Override
        protected int execute() {
            err().println("efficientnet spark: missing command (predict or train)");
            spec().commandLine().usage(err());
            return CliException.USAGE;
        }
    }

    /** Runs the command line (arguments after {@code spark}) and exits with its code. */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs {@code args} (after {@code spark}) printing to {@code out}/{@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        try {
            CommandLine cmd = new CommandLine(new SparkCommand());
            cmd.setOut(o);
            cmd.setErr(e);
            cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
                PrintWriter w = commandLine.getErr();
                String prefix = "efficientnet spark " + commandLine.getCommandName() + ": ";
                if (commandLine.getCommandName().equals("spark")) prefix = "efficientnet spark: ";
                if (ex instanceof CliException ce) {
                    w.println(prefix + ce.getMessage());
                    w.flush();
                    return ce.exitCode();
                }
                w.println(prefix + "error: " + ex);
                ex.printStackTrace(w);
                w.flush();
                return CliException.FAILURE;
            });
            return cmd.execute(args == null ? new String[0] : args);
        } finally {
            o.flush();
            e.flush();
        }
    }
}
