package org.dgm4j.dist;

import java.util.Map;

/**
 * Prints what this JVM's MPI probe and the selection say, one {@code key: value} per line; run by
 * MpiStubTest in a JVM that loads the stub library (target/native/mpi-stub).
 */
public final class ProbeMain {
    private ProbeMain() {}

    public static void main(String[] args) {
        MpiProbe.Result r = MpiProbe.probe();
        System.out.println("available: " + r.available());
        System.out.println("reason: " + r.reason());
        System.out.println("mpi: " + attempt(() -> Communicators.select("mpi")));
        System.out.println("auto-launched: " + attempt(() -> Communicators.select("auto", Communicators.Options.defaults(),
                Map.of("OMPI_COMM_WORLD_SIZE", "2"))));
        System.out.println("auto-alone: " + attempt(() -> Communicators.select("auto", Communicators.Options.defaults(), Map.of())));
    }

    private static String attempt(java.util.function.Supplier<Communicator> s) {
        try (Communicator c = s.get()) {
            return "selected " + c.describe();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
