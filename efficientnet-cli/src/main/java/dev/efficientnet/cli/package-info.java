/**
 * The {@code efficientnet} command line (picocli).
 *
 * <p>Layout, for colleagues adding commands ({@code infer}, {@code predict}, {@code train},
 * {@code eval}, {@code demo}, ...):
 * <ul>
 *   <li>{@link dev.efficientnet.cli.Main} &mdash; entry point; {@code Main.run(args, out, err)} returns the
 *       exit code (0 ok, 1 runtime failure, 2 usage error) and is what tests call. Only
 *       {@code Main.main} calls {@code System.exit}.</li>
 *   <li>{@link dev.efficientnet.cli.EfficientNetCommand} &mdash; the root command; register a new
 *       subcommand by adding its class to the {@code subcommands} list there.</li>
 *   <li>A subcommand is one class extending {@link dev.efficientnet.cli.CliCommand} (which supplies
 *       {@code out()}/{@code err()} bound to the streams given to {@code Main.run}) and implementing
 *       {@code execute()}. Report user errors by throwing {@link dev.efficientnet.cli.CliException}
 *       (message printed as one line on stderr, its exit code returned).</li>
 *   <li>{@link dev.efficientnet.cli.ModelOptions} &mdash; mixin for {@code --width-mult/--depth-mult/--num-classes};
 *       {@link dev.efficientnet.cli.Architectures#resolve} turns an ARCH name plus those options into a
 *       {@code ModelSpec}, failing with the list of known names.</li>
 *   <li>{@link dev.efficientnet.cli.Benchmark} &mdash; the timing loop (eval or train step, one
 *       {@code MemoryScope} per iteration), shared by {@code bench} and {@code compare}.</li>
 *   <li>{@code --json}: stdout then holds exactly one line, a JSON object written with
 *       {@code dev.efficientnet.core.io.Json}; progress goes to stderr.</li>
 * </ul>
 */
package dev.efficientnet.cli;
