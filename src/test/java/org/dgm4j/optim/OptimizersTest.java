package org.dgm4j.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Two updates of each optimizer against its formulas evaluated by hand in double, on float64
 * parameters; tolerance 1e-14 (the kernels compute the same expressions in a different order).
 */
class OptimizersTest {
    private static final double TOL = 1e-14;
    private static final double[] THETA = {1.0, -2.0, 0.5};
    private static final double[][] GRADS = {{0.5, 0.3, -1.0}, {-0.2, 0.4, 2.0}};

    /** A fresh float64 parameter holding THETA, owned by the caller. */
    private static Tensor param() {
        return Scope.unscoped(() -> Tensor.of(THETA.clone(), 3).requiresGrad(true));
    }

    /** Runs the optimizer over GRADS and returns the final parameter values. */
    private static double[] run(Tensor p, Optimizer opt) {
        for (double[] g : GRADS) {
            p.setGrad(Scope.unscoped(() -> Tensor.of(g.clone(), 3)));
            opt.step();
        }
        return p.toDoubleArray();
    }

    @Test
    void sgdWithMomentumWeightDecayAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            double lr = 0.1, mu = 0.9, wd = 0.01;
            double[] th = THETA.clone(), buf = new double[3];
            for (int t = 0; t < GRADS.length; t++) {
                for (int i = 0; i < 3; i++) {
                    double g = GRADS[t][i] + wd * th[i];
                    buf[i] = t == 0 ? g : mu * buf[i] + g;
                    th[i] -= lr * (nesterov ? g + mu * buf[i] : buf[i]);
                }
            }
            try (Tensor p = param(); SGD opt = new SGD(List.of(p), lr).momentum(mu).weightDecay(wd).nesterov(nesterov)) {
                assertArrayEquals(th, run(p, opt), TOL, "nesterov " + nesterov);
                assertEquals(2, opt.steps());
            }
        }
    }

    @Test
    void sgdWithDampening() {
        double lr = 0.2, mu = 0.5, damp = 0.3;
        double[] th = THETA.clone(), buf = new double[3];
        for (int t = 0; t < GRADS.length; t++) {
            for (int i = 0; i < 3; i++) {
                buf[i] = t == 0 ? GRADS[t][i] : mu * buf[i] + (1 - damp) * GRADS[t][i]; // PyTorch: no dampening on the first step
                th[i] -= lr * buf[i];
            }
        }
        try (Tensor p = param(); SGD opt = new SGD(List.of(p), lr).momentum(mu).dampening(damp)) {
            assertArrayEquals(th, run(p, opt), TOL);
        }
    }

    /** The Adam family by hand: decoupled = AdamW, adamax = infinity norm. */
    private static double[] adamByHand(double lr, double b1, double b2, double eps, double wd, boolean decoupled, boolean adamax) {
        double[] th = THETA.clone(), m = new double[3], v = new double[3];
        for (int t = 1; t <= GRADS.length; t++) {
            for (int i = 0; i < 3; i++) {
                double g = GRADS[t - 1][i] + (decoupled ? 0 : wd * th[i]);
                if (decoupled) th[i] -= lr * wd * th[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                if (adamax) {
                    v[i] = Math.max(b2 * v[i], Math.abs(g) + eps);
                    th[i] -= lr * mHat / v[i];
                } else {
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    th[i] -= lr * mHat / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
                }
            }
        }
        return th;
    }

    @Test
    void adamAdamWAndAdamaxMatchTheirFormulas() {
        try (Tensor p = param(); Adam opt = new Adam(List.of(p), 0.01).betas(0.8, 0.95).eps(1e-6).weightDecay(0.1)) {
            assertArrayEquals(adamByHand(0.01, 0.8, 0.95, 1e-6, 0.1, false, false), run(p, opt), TOL);
        }
        try (Tensor p = param(); Adam opt = new AdamW(List.of(p), 0.01, 0.1)) {
            assertArrayEquals(adamByHand(0.01, 0.9, 0.999, 1e-8, 0.1, true, false), run(p, opt), TOL);
        }
        try (Tensor p = param(); Adam opt = new Adamax(List.of(p), 0.002)) {
            assertArrayEquals(adamByHand(0.002, 0.9, 0.999, 1e-8, 0, false, true), run(p, opt), TOL);
            assertEquals(List.of("exp_avg", "exp_inf"), List.copyOf(opt.slots(0).keySet()));
        }
    }

    @Test
    void adamMinimizesAQuadratic() {
        double[] target = {3, -1, 0.25};
        try (Tensor p = param(); Adam opt = new Adam(List.of(p), 0.05)) {
            for (int i = 0; i < 500; i++) {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    p.sub(Tensor.of(target, 3)).square().sum().backward();
                    opt.step();
                }
            }
            assertArrayEquals(target, p.toDoubleArray(), 1e-3);
        }
    }

    @Test
    void parametersWithoutGradientAreSkippedAndKeepTheirStepCount() {
        try (Tensor a = param(); Tensor b = param(); Adam opt = new Adam(List.of(a, b), 0.1)) {
            a.setGrad(Scope.unscoped(() -> Tensor.of(new double[] {1, 1, 1}, 3)));
            opt.step();
            assertArrayEquals(THETA, b.toDoubleArray(), 0);
            assertTrue(opt.slots(1).isEmpty());
            assertEquals(1.0, opt.stateDict().scalars().get("0.step"));
            assertEquals(0.0, opt.stateDict().scalars().get("1.step"));
        }
    }

    @Test
    void twoOptimizersOnDisjointSetsLikeAGan() {
        try (Tensor gen = param(); Tensor disc = param(); Adam optG = new Adam(List.of(gen), 0.1); Adam optD = new Adam(List.of(disc), 0.1)) {
            gen.setGrad(Scope.unscoped(() -> Tensor.of(new double[] {1, 1, 1}, 3)));
            disc.setGrad(Scope.unscoped(() -> Tensor.of(new double[] {1, 1, 1}, 3)));
            optD.step();
            assertArrayEquals(THETA, gen.toDoubleArray(), 0, "the discriminator's optimizer must not touch the generator");
            optD.zeroGrad();
            assertNotNull(gen.grad());
            assertNull(disc.grad());
        }
    }

    @Test
    void stateDictResumeContinuesExactly() {
        try (Tensor a = param(); Tensor b = param(); Adam optA = new AdamW(List.of(a), 0.01, 0.05); Adam optB = new AdamW(List.of(b), 0.5)) {
            run(a, optA);
            b.backend().kernels().copy(a, b);
            optB.loadStateDict(optA.stateDict());
            assertEquals(optA.stateDict().scalars(), optB.stateDict().scalars());
            double[] ra = run(a, optA), rb = run(b, optB);
            assertArrayEquals(ra, rb, 0);
            assertEquals(4, optB.steps());
        }
        try (Tensor a = param(); SGD sgd = new SGD(List.of(a), 0.1); Adam adam = new Adam(List.of(a), 0.1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(sgd.stateDict()));
            assertTrue(e.getMessage().contains("SGD"), e.getMessage());
        }
    }
}
