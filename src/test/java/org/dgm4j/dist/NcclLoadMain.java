package org.dgm4j.dist;

/**
 * Loads the CUDA presets' NCCL binding directly, without the probe's CUDA check (only in a throwaway
 * JVM: a failed load stays broken for the JVM's life), and prints what the probe would report; run by
 * NcclProbeTest to see the reason a machine without the NCCL libraries gives.
 */
public final class NcclLoadMain {
    private NcclLoadMain() {}

    public static void main(String[] args) {
        try {
            System.out.println("loaded: " + NcclProbe.Library.version());
        } catch (Throwable t) {
            System.out.println("failed: " + NcclProbe.loadFailure(t));
        }
    }
}
