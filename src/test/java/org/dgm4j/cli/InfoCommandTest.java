package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.dgm4j.cli.CliRun.run;

import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.dist.MpiProbe;
import org.dgm4j.dist.NcclProbe;
import org.junit.jupiter.api.Test;

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
}
