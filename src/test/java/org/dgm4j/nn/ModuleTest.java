package org.dgm4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A small encoder-like model: a Sequential inside a custom module, with a BatchNorm buffer. */
    static final class Net extends Module {
        final Sequential encoder;
        final Linear head;

        Net(long seed) {
            Generator g = new Generator(seed);
            encoder = module("encoder", new Sequential(new Conv2d(1, 2, 3, 1, 1, g), new BatchNorm2d(2), new ReLU(), new Flatten()));
            head = module("head", new Linear(2 * 4 * 4, 3, g));
        }

        Tensor forward(Tensor x) {
            return head.forward(encoder.forward(x));
        }
    }

    @Test
    void namesFollowRegistrationOrderWithDottedPaths() {
        try (Net net = new Net(1)) {
            assertEquals(List.of("encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "head.weight", "head.bias"),
                    List.copyOf(net.namedParameters().keySet()));
            assertEquals(List.of("encoder.1.running_mean", "encoder.1.running_var"), List.copyOf(net.namedBuffers().keySet()));
            assertEquals(8, net.stateDict().size());
            assertEquals(2 * 9 + 2 + 2 + 2 + 32 * 3 + 3, net.parameterCount());
            net.requiresGrad(false);
            assertFalse(net.head.bias().tensor().requiresGrad());
            net.requiresGrad(true);
            net.eval();
            assertFalse(net.encoder.get(1).isTraining());
            net.train();
            assertTrue(net.head.isTraining());
        }
    }

    @Test
    void sameSeedSameInitialization() {
        try (Net a = new Net(5); Net b = new Net(5); Net c = new Net(6)) {
            assertArrayEquals(a.head.weight().tensor().toFloatArray(), b.head.weight().tensor().toFloatArray());
            assertFalse(java.util.Arrays.equals(a.head.weight().tensor().toFloatArray(), c.head.weight().tensor().toFloatArray()));
        }
    }

    @Test
    void stateDictRoundTripReproducesOutputsInPlace() {
        try (Scope s = Scope.open(); Net a = new Net(1); Net b = new Net(2)) {
            Tensor x = new Generator(3).normal(DType.F32, 4, 1, 4, 4);
            a.forward(x); // training step updates a's running stats, which must travel too
            a.eval();
            b.eval();
            Tensor before = b.head.weight().tensor();
            b.loadStateDict(a.stateDict());
            assertSame(before, b.head.weight().tensor(), "load must copy in place (optimizers hold the tensors)");
            assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray(), 0);
        }
    }

    @Test
    void wrongShapeNamesTheKeyAndBothShapes() {
        try (Scope s = Scope.open(); Net a = new Net(1)) {
            LinkedHashMap<String, Tensor> state = new LinkedHashMap<>(a.stateDict());
            state.put("head.weight", Tensor.zeros(DType.F32, 4, 32));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(state));
            assertTrue(e.getMessage().contains("'head.weight'") && e.getMessage().contains("(3, 32)") && e.getMessage().contains("(4, 32)"), e.getMessage());
            state.remove("head.weight");
            state.put("head.wieght", Tensor.zeros(DType.F32, 3, 32));
            e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(state));
            assertTrue(e.getMessage().contains("head.weight") && e.getMessage().contains("head.wieght"), e.getMessage());
        }
    }

    @Test
    void aModuleBuiltInsideAScopeOutlivesIt() {
        Net net;
        try (Scope s = Scope.open()) {
            net = new Net(1);
        }
        try (net; Scope s = Scope.open()) {
            for (Tensor t : net.stateDict().values()) assertFalse(t.isClosed());
            assertEquals(3, net.forward(Tensor.zeros(DType.F32, 2, 1, 4, 4)).dim(1));
        }
    }

    @Test
    void closeFreesParametersAndBuffers() {
        Net net = new Net(1);
        List<Tensor> all = List.copyOf(net.stateDict().values());
        net.close();
        for (Tensor t : all) assertTrue(t.isClosed());
    }

    @Test
    void initializersHaveTheirDocumentedScale() {
        Generator g = new Generator(9);
        try (Tensor w = Tensor.zeros(DType.F64, 200, 300)) {
            Init.kaimingNormal(w, Init.Nonlinearity.RELU, 0, false, g);
            assertEquals(Math.sqrt(2.0 / 300), std(w), 0.02 * Math.sqrt(2.0 / 300)); // 60,000 draws: ~0.3% error
            Init.xavierUniform(w, 1, g);
            assertEquals(Math.sqrt(6.0 / 500) / Math.sqrt(3), std(w), 0.02 * Math.sqrt(2.0 / 500));
            Init.orthogonal(w, 1, g); // 200 × 300: orthonormal rows
            try (Scope s = Scope.open()) {
                double[] wwT = w.matmul(w.transpose(0, 1)).toDoubleArray();
                for (int i = 0; i < 200; i++) for (int j = 0; j < 200; j++) assertEquals(i == j ? 1 : 0, wwT[i * 200 + j], 1e-10);
            }
        }
    }

    private static double std(Tensor t) {
        double[] v = t.toDoubleArray();
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s / v.length);
    }
}
