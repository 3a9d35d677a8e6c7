package org.dgm4j.distributions;

import org.dgm4j.tensor.Tensor;

/**
 * Bernoulli distributions parameterized by logits l (p = σ(l)), the likelihood of binary images and of
 * the units of sigmoid belief networks.
 */
public final class Bernoulli {
    private Bernoulli() {}

    /**
     * log p(x) = x·l − softplus(l) elementwise (= −BCE-with-logits, no overflow for any l), for x in
     * {0, 1} (or in [0, 1]: the cross-entropy). logits and x broadcast against each other, e.g.
     * logits (B, n) with x (B, n), or a prior's logits (n) with x (B, n) → (B, n).
     */
    public static Tensor logProb(Tensor logits, Tensor x) {
        return x.mul(logits).sub(logits.softplus());
    }

    /** Σ over the last axis of {@link #logProb}: logits and x (B, n) (or broadcasting) → (B). */
    public static Tensor logProbSum(Tensor logits, Tensor x) {
        Tensor lp = logProb(logits, x);
        return lp.sum(lp.rank() - 1);
    }
}
