package org.dgm4j.gan;

import java.util.LinkedHashMap;
import org.dgm4j.tensor.Tensor;

/**
 * The adversarial losses on discriminator logits l = D(·) (one per example, any shape (B) or (B, 1)),
 * with D's probability σ(l) that its input is real. Every log-probability is written through
 * softplus, which the backends compute without overflow for any l:
 * <pre>
 *   −log σ(l)       = softplus(−l)
 *   −log(1 − σ(l))  = softplus(l)
 * </pre>
 * so a confident discriminator (|l| in the hundreds) gives finite losses and gradients, where
 * log(sigmoid(l)) would give −∞. All losses are means over the batch, in nats.
 */
public final class GanLosses {
    private GanLosses() {}

    /**
     * The discriminator's binary cross-entropy with real examples labelled 1 and generated ones 0:
     * −E log σ(l_real) − E log(1 − σ(l_fake)) = mean softplus(−l_real) + mean softplus(l_fake).
     * Its minimum over D is 2·ln 2 − 2·JSD(p_data ‖ p_model) (Goodfellow et al. 2014).
     */
    public static Tensor discriminator(Tensor realLogits, Tensor fakeLogits) {
        return realLogits.neg().softplus().mean().add(fakeLogits.softplus().mean());
    }

    /**
     * The minimax generator loss, minimized by G: E log(1 − D(G(z))) = −mean softplus(l_fake).
     * Its gradient −σ(l) per logit vanishes where D confidently rejects the fakes (l ≪ 0), early in training.
     */
    public static Tensor minimax(Tensor fakeLogits) {
        return fakeLogits.softplus().mean().neg();
    }

    /**
     * The non-saturating generator loss (G maximizes E log D(G(z))), minimized as
     * −E log σ(l_fake) = mean softplus(−l_fake); its gradient per logit is −(1 − σ(l))/B, strongest
     * exactly where D rejects the fakes.
     */
    public static Tensor nonSaturating(Tensor fakeLogits) {
        return fakeLogits.neg().softplus().mean();
    }

    /** Mean σ(l): D's average belief that its inputs are real (for logs; D(x) and D(G(z)) in the literature). */
    public static Tensor meanProbability(Tensor logits) {
        return logits.sigmoid().mean();
    }

    /**
     * What a discriminator update reports, means over the batch: {@code loss} D's cross-entropy on
     * realLogits (labelled 1) and fakeLogits (labelled 0); {@code g_loss} the other side's loss on the
     * same logits (a monitor: D does not minimize it); {@code d_real}, {@code d_fake} D's mean
     * probability of "real" on each kind (D(x) and D(G(z)) in the literature).
     */
    public static LinkedHashMap<String, Tensor> discriminatorTerms(Tensor realLogits, Tensor fakeLogits, Tensor generatorLoss) {
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        t.put("loss", discriminator(realLogits, fakeLogits));
        t.put("g_loss", generatorLoss);
        t.put("d_real", meanProbability(realLogits));
        t.put("d_fake", meanProbability(fakeLogits));
        return t;
    }
}
