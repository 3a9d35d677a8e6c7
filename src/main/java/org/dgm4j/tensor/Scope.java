package org.dgm4j.tensor;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Deterministic lifetime for tensors. Every tensor created on a thread while a scope is open belongs to
 * the innermost scope and is closed with it; {@link #keep(Tensor)} hands a tensor to the enclosing scope
 * (or to the caller when there is none). Tensors created outside any scope belong to whoever created
 * them and must be closed explicitly (parameters, optimizer state, long-lived buffers).
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.loss(batch);
 *     loss.backward();
 *     optimizer.step();
 * } // every intermediate of the step is freed here
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Deque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {}

    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    /** Runs {@code body} with no scope active, so the tensors it creates are owned by the caller. */
    public static <T> T unscoped(java.util.function.Supplier<T> body) {
        Deque<Scope> saved = STACK.get();
        STACK.set(new ArrayDeque<>());
        try {
            return body.get();
        } finally {
            STACK.set(saved);
        }
    }

    static void register(Tensor t) {
        Scope s = STACK.get().peek();
        if (s != null) {
            s.owned.add(t);
            t.scope = s;
        }
    }

    /** Moves {@code t} out of this scope into the enclosing one (or to the caller when none). */
    public Tensor keep(Tensor t) {
        if (t.scope != this) throw new IllegalArgumentException("tensor " + t + " does not belong to this scope");
        owned.remove(t);
        t.scope = null;
        Deque<Scope> stack = STACK.get();
        Scope parent = null;
        boolean seen = false;
        for (Scope s : stack) {
            if (seen) {
                parent = s;
                break;
            }
            if (s == this) seen = true;
        }
        if (parent != null) {
            parent.owned.add(t);
            t.scope = parent;
        }
        return t;
    }

    /** Removes {@code t} from whatever scope owns it: the caller now owns it. */
    public static Tensor detachFromScope(Tensor t) {
        if (t.scope != null) {
            t.scope.owned.remove(t);
            t.scope = null;
        }
        return t;
    }

    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) throw new IllegalStateException("scope closed on another thread");
        closed = true;
        Deque<Scope> stack = STACK.get();
        if (stack.peek() != this) throw new IllegalStateException("scopes must be closed innermost first");
        stack.pop();
        Tensor[] all = owned.toArray(new Tensor[0]);
        owned.clear();
        for (Tensor t : all) {
            t.scope = null;
            t.close();
        }
    }
}
