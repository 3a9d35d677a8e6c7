package org.dgm4j.backend.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.UnaryOp;

/**
 * The tolerance of every op the CUDA parity suite checks, with its reason (OpTable names). An op
 * without an entry here has no parity spec, and the coverage test reports it. Tolerances are in
 * units in the last place of the tensor's dtype, relative to the CPU result; 0 means bit-identical.
 */
final class ParitySpecs {
    record Tolerance(int ulps, String reason) {}

    static final Tolerance EXACT = new Tolerance(0,
            "same arithmetic in double, rounded once to the dtype: +, -, *, / and sqrt are correctly rounded on both sides");
    private static final Tolerance LIBM = new Tolerance(4,
            "exp, log, log1p, tanh, pow come from CUDA's (or the host's) libm vs Java's Math: each within 1-2 ulp; "
                    + "float tensors use float versions of them on the device");
    private static final Tolerance BACKWARD_LIBM = new Tolerance(4,
            "derivative multiplies a libm result (sigmoid, pow) or may be contracted into an FMA by nvcc (1 - y*y)");

    static final Map<String, Tolerance> SPECS = build();

    private ParitySpecs() {}

    private static Map<String, Tolerance> build() {
        Map<String, Tolerance> m = new LinkedHashMap<>();
        for (UnaryOp op : UnaryOp.values()) m.put("unary." + op, unary(op));
        m.put("unaryBackward", BACKWARD_LIBM); // per-op tolerances: see unaryBackward(op)
        for (BinaryOp op : BinaryOp.values()) m.put("binary." + op, op == BinaryOp.POW ? LIBM : EXACT);
        m.put("expand", new Tolerance(0, "a copy"));
        m.put("fill", new Tolerance(0, "the value rounded to the dtype"));
        m.put("copy", new Tolerance(0, "float64 -> float32 rounds to nearest on both sides"));
        m.put("uniform", new Tolerance(0, "integer Philox arithmetic, then an exact scaling"));
        m.put("bernoulli", new Tolerance(0, "compares the exact uniform with p"));
        m.put("normal", new Tolerance(4,
                "Box-Muller in double goes through log and cos (last-bit libm differences); float32 almost always "
                        + "rounds them away, float64 keeps them"));
        return m;
    }

    static Tolerance unary(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, SIGMOID, TANH, SOFTPLUS, POW_SCALAR -> LIBM;
            default -> EXACT;
        };
    }

    static Tolerance unaryBackward(UnaryOp op) {
        return switch (op) {
            case TANH, SOFTPLUS, POW_SCALAR -> BACKWARD_LIBM;
            default -> EXACT;
        };
    }
}
