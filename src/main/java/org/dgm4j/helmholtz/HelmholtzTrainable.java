package org.dgm4j.helmholtz;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.eval.ImportanceSampling;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Adam;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.Trainable;

/**
 * A {@link HelmholtzMachine} with one optimizer for p ({@code "p"}: prior and generative layers) and
 * one for q ({@code "q"}: recognition layers and the NVIL baseline), trained per batch x by one of:
 *
 * <ul>
 *   <li><b>wake-sleep</b> (Hinton et al. 1995). Wake: h ~ q(h|x) on the data, one step of p on
 *       −log p(x, h). Sleep: a dream (x, h) ~ p of the batch's size, one step of q on −log q(h|x).</li>
 *   <li><b>rws</b>, reweighted wake-sleep (Bornschein and Bengio 2015): k draws h_i ~ q(h|x),
 *       normalized importance weights w̃_i ∝ p(x, h_i)/q(h_i|x) (constants); p steps on
 *       −Σ_i w̃_i log p(x, h_i), q on −Σ_i w̃_i log q(h_i|x) (the wake-phase q update); both follow
 *       the gradient of the k-sample bound L_k = log (1/k) Σ_i p(x, h_i)/q(h_i|x) (p exactly, q as
 *       the paper's estimator).</li>
 *   <li><b>nvil</b> (Mnih and Gregor 2014): one draw h ~ q(h|x); p steps on −log p(x, h); q on the
 *       score-function estimate of the ELBO's gradient with the learning signal
 *       l = log p(x, h) − log q(h|x), centered by an input-dependent baseline C(x) and a running mean,
 *       and divided by the running standard deviation (see {@link NvilBaseline}): q's surrogate loss
 *       −mean(A·log q(h|x)), the baseline's −mean(A·C(x)) (A constant), so C follows l − c. One
 *       global signal for all layers (the paper's per-layer local signals are not used).</li>
 * </ul>
 *
 * Metrics (nats per example): {@code loss} = the objective estimated with the step's own draws (−ELBO
 * with one draw; rws: −L_k), {@code nll} = the importance-sampled NLL estimate −log (1/k) Σ_i w_i from
 * the draws at hand (training rows: the step's own, k = 1 or rws_k, so it equals loss; test rows:
 * k = testK draws from q per image), {@code wake} = −log p(x, h) (rws: weighted), {@code sleep} =
 * −log q(h|x) on the dreams (wake-sleep), {@code qwake} (rws), {@code baseline} = mean (l − C(x) − c)²
 * (nvil). Test rows: {@code loss} (the same objective on the test batch) and {@code nll}.
 */
public final class HelmholtzTrainable implements Trainable {
    /** The training algorithm. */
    public enum Algorithm {
        WAKE_SLEEP("wake-sleep"), RWS("rws"), NVIL("nvil");

        public final String configName;

        Algorithm(String configName) {
            this.configName = configName;
        }

        public static Algorithm of(String name) {
            for (Algorithm a : values()) if (a.configName.equals(name)) return a;
            throw new IllegalArgumentException("algorithm must be wake-sleep, rws or nvil, found '" + name + "'");
        }
    }

    private final HelmholtzMachine machine;
    private final Algorithm algorithm;
    private final Optimizer p, q;
    private final int rwsK, testK;

    /** Adam with learning rate {@code lr} for both p and q; {@code rwsK}: samples per example for rws; {@code testK}: samples of the test NLL estimate. */
    public HelmholtzTrainable(HelmholtzMachine machine, Algorithm algorithm, double lr, int rwsK, int testK) {
        if (algorithm == Algorithm.NVIL && machine.nvil() == null) throw new IllegalArgumentException("nvil needs a machine built with an NVIL baseline");
        if (rwsK < 1 || testK < 1) throw new IllegalArgumentException("rws k and test k must be >= 1, found " + rwsK + " and " + testK);
        this.machine = machine;
        this.algorithm = algorithm;
        this.p = new Adam(machine.generativeParameters(), lr);
        this.q = new Adam(machine.recognitionParameters(), lr);
        this.rwsK = rwsK;
        this.testK = testK;
    }

    public HelmholtzMachine machine() {
        return machine;
    }

    @Override
    public Module module() {
        return machine;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        LinkedHashMap<String, Optimizer> m = new LinkedHashMap<>();
        m.put("p", p);
        m.put("q", q);
        return m;
    }

    @Override
    public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
        return switch (algorithm) {
            case WAKE_SLEEP -> wakeSleep(x, g, ctx);
            case RWS -> reweighted(x, g, ctx);
            case NVIL -> nvil(x, g, ctx);
        };
    }

    private LinkedHashMap<String, Double> wakeSleep(Tensor x, Generator g, StepContext ctx) {
        List<Tensor> s = machine.recognize(x, g);
        Tensor logP = machine.logP(s);
        double elbo;
        try (var ng = Autograd.noGrad()) {
            elbo = logP.sub(machine.logQ(s)).mean().item();
        }
        double wake = ctx.minimize(p, loss(logP.mean().neg())).get("loss");
        List<Tensor> dream = machine.dream((int) x.dim(0), g);
        double sleep = ctx.minimize(q, loss(machine.logQ(dream).mean().neg())).get("loss");
        LinkedHashMap<String, Double> v = new LinkedHashMap<>();
        v.put("loss", -elbo);
        v.put("nll", -elbo);
        v.put("wake", wake);
        v.put("sleep", sleep);
        return v;
    }

    private LinkedHashMap<String, Double> reweighted(Tensor x, Generator g, StepContext ctx) {
        long b = x.dim(0), d = machine.units()[0];
        Tensor xs = Ops.expand(machine.flatten(x).reshape(1, b, d), Shape.of(rwsK, b, d)).reshape(rwsK * b, d);
        List<Tensor> s = machine.recognize(xs, g);
        Tensor logP = machine.logP(s), logQ = machine.logQ(s);
        Tensor w; // normalized importance weights (k, B), constants
        double bound;
        try (var ng = Autograd.noGrad()) {
            Tensor lw = logP.sub(logQ).reshape(rwsK, b);
            Tensor lse = lw.logsumexp(0);
            w = lw.sub(lse).exp().reshape(rwsK * b);
            bound = lse.sub(Math.log(rwsK)).mean().item();
        }
        double wake = ctx.minimize(p, loss(logP.mul(w).sum().mul(-1.0 / b))).get("loss");
        double qwake = ctx.minimize(q, loss(logQ.mul(w).sum().mul(-1.0 / b))).get("loss");
        LinkedHashMap<String, Double> v = new LinkedHashMap<>();
        v.put("loss", -bound);
        v.put("nll", -bound);
        v.put("wake", wake);
        v.put("qwake", qwake);
        return v;
    }

    private LinkedHashMap<String, Double> nvil(Tensor x, Generator g, StepContext ctx) {
        NvilBaseline nb = machine.nvil();
        List<Tensor> s = machine.recognize(x, g);
        Tensor logP = machine.logP(s), logQ = machine.logQ(s);
        Tensor xf = s.get(0), baseline = nb.baseline(xf);
        Tensor signal;
        double elbo, residual;
        try (var ng = Autograd.noGrad()) {
            Tensor l = logP.sub(logQ), centered = l.sub(baseline);
            signal = nb.normalize(centered); // A, a constant
            elbo = l.mean().item();
            residual = centered.sub(nb.runningMean()).square().mean().item();
        }
        double wake = ctx.minimize(p, loss(logP.mean().neg())).get("loss");
        ctx.minimize(q, loss(signal.mul(logQ.add(baseline)).mean().neg()));
        LinkedHashMap<String, Double> v = new LinkedHashMap<>();
        v.put("loss", -elbo);
        v.put("nll", -elbo);
        v.put("wake", wake);
        v.put("baseline", residual);
        return v;
    }

    private static LinkedHashMap<String, Tensor> loss(Tensor t) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("loss", t);
        return m;
    }

    /**
     * The training objective on a test batch (−ELBO with one draw; rws: −L_k with rws_k draws), and the
     * importance-sampled NLL with testK draws per image.
     */
    @Override
    public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
        LinkedHashMap<String, Double> v = new LinkedHashMap<>();
        int k = algorithm == Algorithm.RWS ? rwsK : 1;
        v.put("loss", -mean(ImportanceSampling.estimate(machine, x, k, k, g).logLikelihood()));
        v.put("nll", -mean(ImportanceSampling.estimate(machine, x, testK, testK, g).logLikelihood()));
        return v;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    @Override
    public Tensor sample(int n, Generator g) {
        return machine.sample(n, g);
    }

    @Override
    public Map<String, String> metadata() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>(machine.metadata());
        m.put("algorithm", algorithm.configName);
        return m;
    }
}
