package org.dgm4j.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.nn.Layer;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Glow / RealNVP conditioner runs channels-last inside (CouplingNet.conv) and must stay the NCHW
 * net it replaced: the same state-dict keys and shapes (checkpoints of a running training must resume),
 * the same parameters drawn from the same seed, the same outputs and gradients.
 */
class CouplingNetLayoutTest {
    /**
     * The state dict of Glow(1x8x8, L = 2, K = 1, hidden 4, learned top, LU) with seed 1 as written by the
     * NCHW-era code (Sequential conditioner, before channels-last): key, shape, Σ of the values. Recorded
     * from that build; a changed key, shape or draw order fails here.
     */
    private static final String[][] NCHW_ERA_GLOW = {
            {"flow.level0.1.0.bias", "(4,)", "0.0000000000000000"},
            {"flow.level0.1.0.logScale", "(4,)", "0.0000000000000000"},
            {"flow.level0.1.0.initialized", "(1,)", "0.0000000000000000"},
            {"flow.level0.1.1.lower", "(4, 4)", "-1.5349451303482056"},
            {"flow.level0.1.1.upper", "(4, 4)", "-2.7007055804133415"},
            {"flow.level0.1.1.logS", "(4,)", "1.4901161193847656e-08"},
            {"flow.level0.1.1.permutation", "(4, 4)", "4.0000000000000000"},
            {"flow.level0.1.1.sign", "(4,)", "0.0000000000000000"},
            {"flow.level0.1.1.lowerMask", "(4, 4)", "6.0000000000000000"},
            {"flow.level0.1.1.upperMask", "(4, 4)", "6.0000000000000000"},
            {"flow.level0.1.1.eye", "(4, 4)", "4.0000000000000000"},
            {"flow.level0.1.2.net.0.weight", "(4, 2, 3, 3)", "-0.17516714800149202"},
            {"flow.level0.1.2.net.0.bias", "(4,)", "0.32771977968513966"},
            {"flow.level0.1.2.net.2.weight", "(4, 4, 1, 1)", "-0.17707180976867676"},
            {"flow.level0.1.2.net.2.bias", "(4,)", "-0.26359170675277710"},
            {"flow.level0.1.2.net.4.weight", "(4, 4, 3, 3)", "0.0000000000000000"},
            {"flow.level0.1.2.net.4.bias", "(4,)", "0.0000000000000000"},
            {"flow.split0.prior.weight", "(4, 2, 3, 3)", "0.0000000000000000"},
            {"flow.split0.prior.bias", "(4,)", "0.0000000000000000"},
            {"flow.level1.1.0.bias", "(8,)", "0.0000000000000000"},
            {"flow.level1.1.0.logScale", "(8,)", "0.0000000000000000"},
            {"flow.level1.1.0.initialized", "(1,)", "0.0000000000000000"},
            {"flow.level1.1.1.lower", "(8, 8)", "1.4696645140647888"},
            {"flow.level1.1.1.upper", "(8, 8)", "-1.2123142466880380"},
            {"flow.level1.1.1.logS", "(8,)", "2.9802322387695312e-08"},
            {"flow.level1.1.1.permutation", "(8, 8)", "8.0000000000000000"},
            {"flow.level1.1.1.sign", "(8,)", "0.0000000000000000"},
            {"flow.level1.1.1.lowerMask", "(8, 8)", "28.000000000000000"},
            {"flow.level1.1.1.upperMask", "(8, 8)", "28.000000000000000"},
            {"flow.level1.1.1.eye", "(8, 8)", "8.0000000000000000"},
            {"flow.level1.1.2.net.0.weight", "(4, 4, 3, 3)", "1.4787413030280732"},
            {"flow.level1.1.2.net.0.bias", "(4,)", "0.30097895488142967"},
            {"flow.level1.1.2.net.2.weight", "(4, 4, 1, 1)", "0.20289593935012817"},
            {"flow.level1.1.2.net.2.bias", "(4,)", "0.52592152357101440"},
            {"flow.level1.1.2.net.4.weight", "(8, 4, 3, 3)", "0.0000000000000000"},
            {"flow.level1.1.2.net.4.bias", "(8,)", "0.0000000000000000"},
            {"flow.top.mean", "(8,)", "0.0000000000000000"},
            {"flow.top.logScale", "(8,)", "0.0000000000000000"}
    };

    @Test
    void glowStateDictIsTheNchwEraOne() {
        try (Glow glow = new Glow(Shape.of(1, 8, 8), 2, 1, 4, true, true, DType.F32, new Generator(1))) {
            LinkedHashMap<String, Tensor> sd = glow.stateDict();
            List<String> keys = new ArrayList<>(sd.keySet()), expected = new ArrayList<>();
            for (String[] e : NCHW_ERA_GLOW) expected.add(e[0]);
            assertEquals(expected, keys);
            for (String[] e : NCHW_ERA_GLOW) {
                Tensor t = sd.get(e[0]);
                assertEquals(e[1], t.shape().toString(), e[0]);
                double sum = 0;
                for (double v : t.toDoubleArray()) sum += v;
                assertEquals(Double.parseDouble(e[2]), sum, 1e-12 * Math.max(1, Math.abs(sum)), e[0]);
            }
            // and an NCHW-era dict (the same entries) loads into it
            glow.loadStateDict(new LinkedHashMap<>(sd));
        }
    }

    @Test
    void channelsLastNetHasTheKeysShapesAndInitOfTheNchwNet() {
        try (Layer cl = CouplingNet.conv(5, DType.F64, new Generator(3)).create(3, 6);
             Layer ref = CouplingNet.convNchw(5, DType.F64, new Generator(3)).create(3, 6)) {
            assertTrue(cl instanceof Sequential seq && seq.isChannelsLast());
            assertTrue(ref instanceof Sequential s2 && !s2.isChannelsLast());
            Map<String, Tensor> a = cl.stateDict(), b = ref.stateDict();
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), new ArrayList<>(a.keySet()));
            assertEquals(new ArrayList<>(b.keySet()), new ArrayList<>(a.keySet()));
            for (String k : a.keySet()) {
                assertEquals(b.get(k).shape(), a.get(k).shape(), k);
                assertEquals(List.of(box(b.get(k).toDoubleArray())), List.of(box(a.get(k).toDoubleArray())), k);
            }
            assertEquals(Shape.of(5, 3, 3, 3), a.get("0.weight").shape());
            assertEquals(Shape.of(6, 5, 3, 3), a.get("4.weight").shape());
        }
    }

    @Test
    void channelsLastNetComputesTheNchwNetF64() {
        compare(DType.F64, 1e-12);
    }

    @Test
    void channelsLastNetComputesTheNchwNetF32() {
        // float32: oneDNN runs other algorithms per layout (one matmul, nhwc kernels, planar im2col): sums in
        // another order, errors of a few ulps of the O(1) terms through three layers
        compare(DType.F32, 1e-4);
    }

    /** Same random parameters (the zero conv too) in both nets: the outputs and every gradient agree. */
    private static void compare(DType dt, double tol) {
        try (Scope s = Scope.open();
             Layer cl = CouplingNet.conv(7, dt, new Generator(5)).create(2, 4);
             Layer ref = CouplingNet.convNchw(7, dt, new Generator(6)).create(2, 4)) {
            Generator g = new Generator(9);
            LinkedHashMap<String, Tensor> random = new LinkedHashMap<>();
            for (var e : ref.stateDict().entrySet()) random.put(e.getKey(), g.normal(dt, e.getValue().dims()).mul(0.5));
            ref.loadStateDict(random);
            cl.loadStateDict(random);
            Tensor x1 = g.normal(dt, 3, 2, 5, 7).requiresGrad(true), x2 = x1.detach().requiresGrad(true);
            Tensor y1 = ref.forward(x1), y2 = cl.forward(x2);
            assertEquals(Shape.of(3, 4, 5, 7), y2.shape());
            assertClose(y1, y2, tol, "output");
            Tensor w = g.normal(dt, 3, 4, 5, 7);
            y1.mul(w).sum().backward();
            y2.mul(w).sum().backward();
            assertClose(x1.grad(), x2.grad(), tol, "input gradient");
            Map<String, Tensor> p1 = ref.namedParameters(), p2 = cl.namedParameters();
            for (String k : p1.keySet()) assertClose(p1.get(k).grad(), p2.get(k).grad(), tol, k + " gradient");
        }
    }

    private static void assertClose(Tensor a, Tensor b, double tol, String what) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        assertEquals(x.length, y.length, what);
        double maxAbs = 0;
        for (double v : x) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertTrue(maxAbs > 0, what + " is all zero: the comparison would be vacuous");
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], tol * Math.max(1, maxAbs), what + " element " + i);
    }

    private static Double[] box(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
