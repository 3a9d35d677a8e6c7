package org.dgm4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dgm4j experiment}: experiments that train several models and compare them; one subcommand each. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments that train several model families on the same data and compare them.",
        subcommands = {ModesCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  dgm4j experiment modes --seeds 5   GAN, VAE, flow, EM mixture on a ring",
            "  dgm4j experiment modes --help      its options"})
public final class ExperimentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing experiment (one of: modes)");
    }
}
