package org.dgm4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code dgm4j} command: one class per subcommand, registered below. */
@Command(
        name = "dgm4j",
        mixinStandardHelpOptions = true,
        versionProvider = InfoCommand.VersionProvider.class,
        description = "Deep generative models on the JVM (CUDA kernels or CPU with oneDNN).",
        subcommands = {
            CommandLine.HelpCommand.class,
            InfoCommand.class,
            BenchCommand.class,
            TrainCommand.class,
            SampleCommand.class,
            EvalCommand.class,
            QualityCommand.class,
            FeatureClassifierCommand.class,
            NllCommand.class,
            ExperimentCommand.class,
            // new subcommands go here, one line each
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  dgm4j info          versions, CPU features, backends, why CUDA is (not) used",
            "  dgm4j help info     help of one subcommand",
            "",
            "Exit codes:",
            "  0  success",
            "  1  error while running the command",
            "  2  bad usage (unknown command or option, invalid value or config)",
            "  3  training checkpointed on SIGTERM/SIGUSR1 and stopped (resume with --resume auto)",
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: show the usage and fail as bad usage. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** The configured command line; tests call {@code execute} on it with their own writers. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? 2 : 1);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
