package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.dgm4j.cli.CliRun.run;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.dist.MpiProbe;
import org.dgm4j.dist.NcclProbe;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InfoCommandTest {
    @Test
    void infoNamesBothBackendsAndTheCudaReason() {
        CliRun r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("cpu "), r.out());
        assertTrue(r.out().contains("cuda "), r.out());
        assertTrue(r.out().contains(CudaProbe.probe().reason()), r.out());
        assertTrue(r.out().contains(System.getProperty("java.version")), r.out());
    }

    @Test
    void infoNamesMpiAndNcclWithTheirReasons() {
        CliRun r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  mpi   " + (MpiProbe.probe().available() ? "available: " : "unavailable: ") + MpiProbe.probe().reason()), r.out());
        assertTrue(r.out().contains("  nccl  " + (NcclProbe.probe().available() ? "available: " : "unavailable: ") + NcclProbe.probe().reason()), r.out());
    }

    @Test
    void exitCodesMatchTheHelp() {
        assertEquals(2, run("no-such-command").code());
        assertEquals(2, run().code());
        assertEquals(2, run("info", "--no-such-option").code());
        CliRun help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("dgm4j info"), help.out());
    }

    /** Every command's --help renders without picocli's format warnings (a bare % in a description) and shows examples. */
    @Test
    void everyCommandsHelpRendersCleanlyWithExamples() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine c : all) {
                String usage = c.getUsageMessage();
                String name = c.getCommandSpec().qualifiedName();
                assertTrue(name.endsWith(" help") || usage.matches("(?s).*\\nExamples?:\\R.*"), name + " --help has no examples:\n" + usage);
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8), "picocli warned while rendering help");
    }

    private static void collect(CommandLine c, List<CommandLine> all) {
        all.add(c);
        c.getSubcommands().values().forEach(sub -> collect(sub, all));
    }
}
