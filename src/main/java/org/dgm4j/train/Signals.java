package org.dgm4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGUSR1 as requests the training loop polls at step boundaries (a handler never touches
 * the model): batch systems send TERM before killing a job (SLURM's {@code --signal}) and USR1 as a
 * "save now" nudge. Installed for one run and restored afterwards, so in-process callers keep theirs.
 */
public final class Signals implements AutoCloseable {
    /** What the loop should do at the next step boundary. */
    public enum Request { NONE, CHECKPOINT_AND_STOP, CHECKPOINT_AND_CONTINUE }

    private final AtomicReference<Request> pending = new AtomicReference<>(Request.NONE);
    private final AtomicReference<String> name = new AtomicReference<>();
    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private final List<String> unavailable = new ArrayList<>();

    /** Handles TERM (checkpoint, stop) and USR1 (checkpoint, then stop or continue). */
    public static Signals install(boolean usr1Continue) {
        Signals s = new Signals();
        s.handle("TERM", Request.CHECKPOINT_AND_STOP);
        s.handle("USR1", usr1Continue ? Request.CHECKPOINT_AND_CONTINUE : Request.CHECKPOINT_AND_STOP);
        return s;
    }

    /** Without handlers (tests, library callers that manage signals themselves); {@link #request} still works. */
    public static Signals none() {
        return new Signals();
    }

    private void handle(String signal, Request request) {
        try {
            Signal sig = new Signal(signal);
            previous.add(Signal.handle(sig, s -> request(request, "SIG" + signal)));
            installed.add(sig);
        } catch (IllegalArgumentException e) {
            unavailable.add("SIG" + signal + " (" + e.getMessage() + ")"); // reserved by the JVM or unknown on this OS
        }
    }

    /** Asks the loop to checkpoint at the next step boundary; a stop request is never downgraded to continue. */
    public void request(Request r, String why) {
        pending.accumulateAndGet(r, (old, nu) -> old == Request.CHECKPOINT_AND_STOP ? old : nu);
        name.set(why);
    }

    /** The pending request (cleared), and which signal asked for it via {@link #lastSignal}. */
    Request take() {
        return pending.getAndSet(Request.NONE);
    }

    String lastSignal() {
        return name.get();
    }

    /** Signals that could not be handled here, for one log line. */
    public List<String> unavailable() {
        return unavailable;
    }

    @Override
    public void close() {
        for (int i = 0; i < installed.size(); i++) Signal.handle(installed.get(i), previous.get(i));
        installed.clear();
    }
}
