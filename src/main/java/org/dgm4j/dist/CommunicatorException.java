package org.dgm4j.dist;

/** A collective failed in the communication library; the message names the call and its error. */
public class CommunicatorException extends RuntimeException {
    public CommunicatorException(String message) {
        super(message);
    }
}
