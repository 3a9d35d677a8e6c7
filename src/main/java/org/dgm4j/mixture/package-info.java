/**
 * Mixture models fitted by EM. {@link org.dgm4j.mixture.GaussianMixture} (K components, full or
 * diagonal covariance) fits a whole data set at once, so a trainer drives it in one call rather than
 * a step per batch:
 *
 * <pre>{@code
 * try (GaussianMixture gmm = new GaussianMixture(8, 2, GaussianMixture.Covariance.FULL)) {
 *     GaussianMixture.FitResult r = gmm.tolerance(1e-6).restarts(5).fit(x, new Generator(seed)); // x (N, D)
 *     r.logLikelihoods();                 // mean log-likelihood per EM iteration, never decreasing
 *     double test = gmm.meanLogLikelihood(xTest);    // nats per point
 *     Tensor logp = gmm.score(xTest);                // (N) per point
 *     int[] labels = gmm.predict(xTest);
 *     GaussianMixture.Sample s = gmm.sample(1000, g); // s.x() (1000, D), s.components()
 *     Safetensors.write(file, gmm.stateDict(), meta); // weights, means, covariances (float64)
 * }
 * }</pre>
 */
package org.dgm4j.mixture;
