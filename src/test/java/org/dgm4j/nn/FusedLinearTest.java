package org.dgm4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.dgm4j.autograd.Ops;
import org.dgm4j.flow.RealNvp2d;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.vae.Vae;
import org.junit.jupiter.api.Test;

/**
 * The fused Linear + ReLU (Ops.linear): Sequential fuses the pair without moving a layer, so state
 * dicts keep their keys and shapes (checkpoints written before the fusion still load), and the fused
 * forward and gradients equal the unfused chain (matmul, bias add, relu) bit for bit in float32.
 */
class FusedLinearTest {
    /** The MLP VAE's state dict as written before the fusion (names and shapes). */
    @Test
    void vaeStateDictKeysAreUnchanged() {
        try (Vae vae = Vae.bernoulliMlp(512, 32, new Generator(1))) {
            List<String> want = List.of("encoder.1.weight (512, 784)", "encoder.1.bias (512,)", "encoder.3.weight (512, 512)",
                    "encoder.3.bias (512,)", "encoder.5.weight (64, 512)", "encoder.5.bias (64,)", "decoder.0.weight (512, 32)",
                    "decoder.0.bias (512,)", "decoder.2.weight (512, 512)", "decoder.2.bias (512,)", "decoder.4.weight (784, 512)",
                    "decoder.4.bias (784,)");
            assertEquals(want, keys(vae));
        }
    }

    /** RealNVP-2D (8 couplings, MLP 1-256-256-2): actnorm, coupling, ... as written before the fusion. */
    @Test
    void realNvp2dStateDictKeysAreUnchanged() {
        try (RealNvp2d flow = new RealNvp2d(8, 256, 2, DType.F32, new Generator(1))) {
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 16; i += 2) {
                want.addAll(List.of("flow." + i + ".bias (2,)", "flow." + i + ".logScale (2,)", "flow." + i + ".initialized (1,)"));
                String net = "flow." + (i + 1) + ".net.";
                want.addAll(List.of(net + "0.weight (256, 1)", net + "0.bias (256,)", net + "2.weight (256, 256)", net + "2.bias (256,)",
                        net + "4.weight (2, 256)", net + "4.bias (2,)"));
            }
            assertEquals(want, keys(flow));
        }
    }

    private static List<String> keys(Module m) {
        List<String> out = new ArrayList<>();
        m.stateDict().forEach((k, t) -> out.add(k + " " + t.shape()));
        return out;
    }

    /** Sequential(Linear, ReLU, Linear) fused vs the same parameters through matmul, add and relu. */
    @Test
    void fusedChainEqualsTheUnfusedOpsBitForBit() {
        for (long[] d : new long[][] {{128, 784, 512, 64}, {1024, 1, 256, 2}, {33, 7, 65, 1}}) {
            try (Scope s = Scope.open(); Linear a = new Linear(d[1], d[2], new Generator(5)); Linear b = new Linear(d[2], d[3], new Generator(6));
                 Sequential fused = new Sequential(a, new ReLU(), b)) {
                Tensor x = new Generator(7).normal(DType.F32, d[0], d[1]).requiresGrad(true);
                Tensor seed = new Generator(8).normal(DType.F32, d[0], d[3]);
                Tensor yFused = fused.forward(x);
                org.dgm4j.autograd.Autograd.backward(yFused, seed);
                List<float[]> gFused = grads(x, a, b);
                fused.zeroGrad();
                x.setGrad(null);
                Tensor h = Ops.matmul(x, false, a.weight().tensor(), true).add(a.bias().tensor()).relu();
                Tensor y = Ops.matmul(h, false, b.weight().tensor(), true).add(b.bias().tensor());
                org.dgm4j.autograd.Autograd.backward(y, seed);
                assertArrayEquals(y.toFloatArray(), yFused.toFloatArray(), "forward " + java.util.Arrays.toString(d));
                List<float[]> g = grads(x, a, b);
                for (int i = 0; i < g.size(); i++) assertArrayEquals(g.get(i), gFused.get(i), "gradient " + i + " " + java.util.Arrays.toString(d));
            }
        }
    }

    private static List<float[]> grads(Tensor x, Linear a, Linear b) {
        return List.of(x.grad().toFloatArray(), a.weight().tensor().grad().toFloatArray(), a.bias().tensor().grad().toFloatArray(),
                b.weight().tensor().grad().toFloatArray(), b.bias().tensor().grad().toFloatArray());
    }

    /** An explicit Linear(..., RELU) equals Linear then ReLU, and prints its activation. */
    @Test
    void linearWithReluActivation() {
        try (Scope s = Scope.open(); Linear plain = new Linear(6, 5, true, DType.F64, new Generator(9));
             Linear relu = new Linear(6, 5, true, Linear.Activation.RELU, DType.F64, new Generator(9))) {
            Tensor x = new Generator(10).normal(DType.F64, 2, 3, 6);
            assertArrayEquals(plain.forward(x).relu().toDoubleArray(), relu.forward(x).toDoubleArray());
            assertArrayEquals(new long[] {2, 3, 5}, relu.forward(x).dims());
            assertEquals(List.copyOf(plain.stateDict().keySet()), List.copyOf(relu.stateDict().keySet()));
        }
    }
}
