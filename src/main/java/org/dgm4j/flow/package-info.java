/**
 * Normalizing flows: NICE, RealNVP and Glow, composed from the differentiable ops of
 * {@link org.dgm4j.autograd.Ops}.
 *
 * <h2>The pieces</h2>
 *
 * <pre>
 * Bijector (abstract Module)   forward x → (z, logdet (B) float64), inverse z → (x, −logdet), initialize(x)
 *   Chain                      composition; logdets added in float64
 *   ActNorm                    per-channel (x + bias)·exp(logScale); data-dependent init is the explicit initialize(x)
 *   InvConv1x1, InvConv1x1Lu   1x1 convolution: dense W (log|det W| by LU, float64) or W = P·L·(U + diag s)
 *   AdditiveCoupling           NICE: y_t = x_t + m(x_c)
 *   AffineCoupling             RealNVP / Glow: y_t = (x_t + shift)·σ(raw + 2)
 *   Squeeze, Flat              space-to-depth by 2; (B, *event) ↔ (B, D)
 *   SplitPrior, LearnedPrior   Glow's learned conditional prior of a split and learned top, as standardizing bijectors
 *   MultiScale                 levels, splits that factor out half the channels, a top; latent (B, D)
 * FlowModel (a Bijector)       flow + standard base (Gaussian or logistic): logProb, sample(n, T), reconstruct, interpolate
 *   Nice, RealNvp2d, RealNvpImage, Glow
 * FlowObjective                the trainer's Objective: dequantized n-bit images, padding, bits/dim
 * BitsPerDim                   the formula below
 * </pre>
 *
 * <h2>Conventions</h2>
 *
 * <ul>
 *   <li>Log-determinants are float64 of shape (B), one per example, whatever the data's dtype; each layer
 *       sums its own terms in float64 and compositions add them in float64. Base log-densities too.</li>
 *   <li>Learned priors are bijectors. Glow's conditional prior p(z2 | z1) = N(μ(z1), σ(z1)²) is the map
 *       z2 → (z2 − μ)/σ with logdet −Σ log σ followed by the standard normal, which is the same
 *       density; so every model has a standard base, and sampling at temperature T (base noise times T)
 *       gives Glow's z2 ~ N(μ, (Tσ)²) at every level.</li>
 *   <li>Data-dependent initialization (ActNorm) is never hidden in forward: call
 *       {@code model.initialize(batch)} (or {@link org.dgm4j.flow.FlowObjective#initialize}) once before
 *       training; the done-flags are buffers in the state dict, so a loaded checkpoint is not re-initialized.</li>
 *   <li>Nets of coupling layers and split priors end in zero-initialized layers: every coupling starts as
 *       the identity (additive) or a fixed scale σ(2) (affine), every prior as the standard normal.</li>
 * </ul>
 *
 * <h2>Bits per dimension</h2>
 *
 * n-bit pixels x ∈ {0 … 2^n − 1}^D are dequantized y = (x + u)/2^n − offset, u ~ U[0, 1)^D (offset ½ is
 * Glow's [−½, ½), offset 0 RealNVP's [0, 1)). With D_model dimensions seen by the flow (after padding
 * with constant pixels) and D_data real pixels:
 *
 * <pre>
 * bits/dim = (−ln p(y) + D_model·n·ln 2) / (D_data·ln 2)      (= −ln p(y)/(D ln 2) + n without padding)
 * </pre>
 *
 * an upper bound on the discrete −log₂ P(x) per real pixel (derivation in {@link org.dgm4j.flow.BitsPerDim}).
 * Fashion-MNIST's 28×28 images are padded to 32×32 with pixel value 0 (the background) for Glow with
 * three levels: D_model = 1024, D_data = 784.
 *
 * <h2>The fused kernels</h2>
 *
 * Each computation with a fused op-table kernel is one static method: {@code AffineCoupling.couple /
 * uncouple} ({@code Ops.affineCoupling[Inverse]}; the checkerboard mask keeps the composed form),
 * {@code ActNorm.affine} ({@code Ops.actnorm[Inverse]}, initialization by {@code Ops.actnormStats}),
 * {@code InvConv1x1.logAbsDet / inverseOf} ({@code Ops.logAbsDet / matrixInverse}: LU in float64 on the
 * weight's backend, gradient W⁻ᵀ), {@code Squeeze.squeeze / unsqueeze} ({@code Ops.squeeze2d /
 * unsqueeze2d}). {@code AdditiveCoupling.shift} stays composed (one add). The host LU
 * ({@code HostLinalg}) only builds {@link org.dgm4j.flow.InvConv1x1Lu}'s initial factors.
 */
package org.dgm4j.flow;
