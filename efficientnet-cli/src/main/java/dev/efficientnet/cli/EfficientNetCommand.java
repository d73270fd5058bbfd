package dev.efficientnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The root {@code efficientnet} command. Register a new subcommand by adding its class to
 * {@code subcommands} below; run without a subcommand it prints the usage on stderr (exit 2).
 */
@Command(name = "efficientnet",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "EfficientNet V1/V2 in pure Java: inspect, compare, benchmark and run the models.",
        subcommands = {
                SummaryCommand.class,
                CompareCommand.class,
                BenchCommand.class,
                TrainCommand.class,
                ScaleSearchCommand.class,
                EvalCommand.class,
                DemoCommand.class,
                InferCommand.class,
                PredictCommand.class,
                ExportCommand.class,
                ConvertCommand.class,
                HelpCommand.class,
        },
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage error.",
                "Run 'efficientnet COMMAND --help' for a command's options."})
public final class EfficientNetCommand extends CliCommand {

    /** Creates the root command. */
    public EfficientNetCommand() {
    }

    @Override
    protected int execute() {
        err().println("efficientnet: missing command");
        spec().commandLine().usage(err());
        return CliException.USAGE;
    }
}
