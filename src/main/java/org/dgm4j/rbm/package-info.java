/**
 * Binary restricted Boltzmann machines and deep belief nets.
 *
 * <p>A training step does not go through a loss's backward: {@link
 * org.dgm4j.rbm.ContrastiveDivergence#step} computes the CD-k / PCD-k gradient explicitly, writes it
 * into the parameters' {@code grad} and applies SGD (momentum, weight decay on W). Its monitors are
 * the reconstruction error and the free-energy gap. (The same gradient is that of the surrogate loss
 * mean F(v⁰) − mean F(v^k) with v^k fixed, should a generic loop need a "loss" to call backward on.)
 * Evaluation needs log Z: exact for tiny models ({@link org.dgm4j.rbm.ExactPartition}), otherwise
 * annealed importance sampling ({@link org.dgm4j.rbm.AnnealedImportanceSampling}), once per
 * evaluation, not per batch.
 *
 * <pre>{@code
 * try (BinaryRbm rbm = new BinaryRbm(784, 500, new Generator(seed));
 *      ContrastiveDivergence cd = new ContrastiveDivergence(rbm, ContrastiveDivergence.Options.cd(1, 0.05)
 *              .withMomentum(0.5).withWeightDecay(2e-4), g)) {
 *     rbm.initVisibleBiasFromMean(pixelMean, 1e-3);            // before the learner for PCD (chains start there)
 *     for (each batch x (B, 784) in [0, 1]) try (Scope s = Scope.open()) {
 *         ContrastiveDivergence.Step st = cd.step(g.bernoulli(x), g); // dynamic binarization, one update
 *         st.terms();                                          // {"recon", "fe_gap"}: one-element tensors
 *     }
 *     AnnealedImportanceSampling.Estimate z = AnnealedImportanceSampling.logPartition(rbm,
 *             AnnealedImportanceSampling.baseRateBias(pixelMean, 1e-3), 100,
 *             AnnealedImportanceSampling.salakhutdinovBetas(1), g);
 *     double testLogLik = rbm.logLikelihood(xTestBinary, z.logZ()).mean().item(); // nats per image
 *     Tensor images = rbm.sample(64, 1000, g);                 // (64, 784) Bernoulli means
 * }
 * }</pre>
 */
package org.dgm4j.rbm;
