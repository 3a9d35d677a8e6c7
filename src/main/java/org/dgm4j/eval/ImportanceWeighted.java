package org.dgm4j.eval;

import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * A latent-variable model with a proposal (an encoder or recognition model) q(h|x): what importance
 * sampling needs to estimate log p(x) = log E_q[p(x, h)/q(h|x)].
 */
public interface ImportanceWeighted {
    /**
     * log w_k = log p(x, h_k) − log q(h_k|x) for k independent draws h_k ~ q(h|x) per example:
     * x (B, ...) as the model's input → (k, B), in nats, noise from {@code g}. Callers that need no
     * gradient call it in no-grad mode.
     */
    Tensor logWeights(Tensor x, int k, Generator g);
}
