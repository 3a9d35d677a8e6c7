package org.dgm4j.nn;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Loss functions composed from differentiable ops, so autograd differentiates them with respect to
 * every input that requires grad. Classification losses are means over the batch; elementwise losses
 * take a {@link Reduction} (for a VAE's reconstruction term use SUM, or NONE and sum per example).
 */
public final class Losses {
    private Losses() {}

    /**
     * Cross-entropy of logits (N, K) against class indices (N): mean over the batch of
     * −log softmax(logits)[n, label[n]], computed as logsumexp − logit (no overflow).
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        if (logits.rank() != 2 || logits.dim(0) != labels.length) {
            throw new IllegalArgumentException("crossEntropy: logits must be (N, K) with N = " + labels.length + " labels, found " + logits.shape());
        }
        // the one-hot stays alive with the current scope: the graph's backward reads it
        return crossEntropy(logits, oneHot(labels, logits.dim(1), logits));
    }

    /**
     * Cross-entropy of logits (N, K) against target distributions (N, K) (one-hot or soft): mean over
     * the batch of −Σ_k target[n, k]·log softmax(logits)[n, k].
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        if (logits.rank() != 2 || !logits.shape().equals(target.shape())) {
            throw new IllegalArgumentException("crossEntropy: logits and target must both be (N, K), found " + logits.shape() + " and " + target.shape());
        }
        Tensor logp = Ops.logSoftmax(logits, 1);
        return target.mul(logp).sum().mul(-1.0 / logits.dim(0));
    }

    /**
     * Binary cross-entropy with logits l and targets x in [0, 1] (same shape), elementwise
     * −[x·log σ(l) + (1 − x)·log(1 − σ(l))] = softplus(l) − x·l, which never overflows and equals
     * the stable max(l, 0) − l·x + log(1 + e^(−|l|)).
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        if (!logits.shape().equals(target.shape())) {
            throw new IllegalArgumentException("binaryCrossEntropyWithLogits: logits " + logits.shape() + " and target " + target.shape() + " differ");
        }
        return reduction.apply(logits.softplus().sub(target.mul(logits)));
    }

    /** Squared error (prediction − target)², elementwise, same shapes. */
    public static Tensor mse(Tensor prediction, Tensor target, Reduction reduction) {
        if (!prediction.shape().equals(target.shape())) {
            throw new IllegalArgumentException("mse: prediction " + prediction.shape() + " and target " + target.shape() + " differ");
        }
        return reduction.apply(prediction.sub(target).square());
    }

    /** One-hot (N, classes) of {@code labels}, on the backend and in the dtype of {@code like}. */
    public static Tensor oneHot(int[] labels, long classes, Tensor like) {
        int k = Math.toIntExact(classes);
        double[] v = new double[Math.multiplyExact(labels.length, k)];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= k) throw new IllegalArgumentException("label " + labels[i] + " at " + i + " outside 0.." + (k - 1));
            v[i * k + labels[i]] = 1;
        }
        Shape shape = Shape.of(labels.length, k);
        if (like.dtype() == DType.F64) return Tensor.of(like.backend(), v, shape);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(like.backend(), f, shape);
    }
}
