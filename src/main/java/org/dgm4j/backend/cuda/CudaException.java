package org.dgm4j.backend.cuda;

/** A failed CUDA call: names the dgm4j call or kernel and carries CUDA's own message. */
public class CudaException extends RuntimeException {
    private final String call;
    private final int status;

    public CudaException(String call, int status, String message) {
        super("cuda: " + call + " failed: " + message);
        this.call = call;
        this.status = status;
    }

    /** The op or native call that failed, e.g. {@code unary EXP} or {@code dgm4j_malloc}. */
    public String call() {
        return call;
    }

    /** The dgm4j_status code (CudaNative.DGM4J_ERR_*). */
    public int status() {
        return status;
    }
}
