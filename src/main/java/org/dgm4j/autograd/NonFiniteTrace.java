package org.dgm4j.autograd;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Where a NaN or infinity entered a recorded graph: walking back from a non-finite output, the first
 * op whose inputs are all finite but whose output is not, and the parameters that feed it (its layer).
 * Run only after something went wrong; it costs one reduction per tensor visited.
 */
public final class NonFiniteTrace {
    private NonFiniteTrace() {}

    /** Whether every element is finite: x − x is 0 exactly where x is finite, NaN elsewhere. */
    public static boolean finite(Tensor x) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            return Ops.sub(x, x).sum().item() == 0;
        }
    }

    /**
     * A sentence naming the op that produced the first non-finite value on the way to {@code out}, and
     * the named parameters upstream of it (nearest first); null when {@code out} is finite or has no graph.
     */
    public static String describe(Tensor out, Map<Tensor, String> parameterNames) {
        if (out.gradFn() == null || finite(out)) return null;
        Tensor t = out;
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (true) {
            Node n = t.gradFn();
            Tensor bad = null;
            if (n != null) {
                for (Tensor in : n.inputs()) {
                    if (in != null && !in.isClosed() && seen.add(in) && !finite(in)) {
                        bad = in;
                        break;
                    }
                }
            }
            if (bad == null || bad.gradFn() == null) {
                String origin = n == null ? "a leaf tensor" : "op '" + n.op() + "'";
                String layer = bad != null ? " on non-finite input " + nameOf(bad, parameterNames) : " (its inputs are finite)";
                return "first non-finite value from " + origin + " with output " + t.shape() + layer + nearby(n, parameterNames);
            }
            t = bad;
        }
    }

    private static String nameOf(Tensor t, Map<Tensor, String> names) {
        return names.getOrDefault(t, t.describe());
    }

    /** The parameters reachable upstream of node n, by breadth-first distance, as ", in layer(s) ...". */
    private static String nearby(Node n, Map<Tensor, String> names) {
        if (n == null) return "";
        TreeSet<String> found = new TreeSet<>();
        ArrayDeque<Node> queue = new ArrayDeque<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        queue.add(n);
        while (!queue.isEmpty() && found.isEmpty()) {
            // one breadth level at a time, so the nearest parameters win
            for (int i = queue.size(); i > 0; i--) {
                Node m = queue.poll();
                for (Tensor in : m.inputs()) {
                    if (in == null) continue;
                    String name = names.get(in);
                    if (name != null) found.add(layerOf(name));
                    else if (in.gradFn() != null && seen.add(in.gradFn())) queue.add(in.gradFn());
                }
            }
        }
        return found.isEmpty() ? "" : ", in layer " + String.join(" / ", found);
    }

    /** "decoder.4.weight" -> "decoder.4". */
    private static String layerOf(String parameter) {
        int dot = parameter.lastIndexOf('.');
        return dot > 0 ? parameter.substring(0, dot) : parameter;
    }
}
