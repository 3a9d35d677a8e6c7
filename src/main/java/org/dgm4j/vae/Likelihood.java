package org.dgm4j.vae;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.autograd.Ops;
import org.dgm4j.data.ImageSet;
import org.dgm4j.distributions.Bernoulli;
import org.dgm4j.distributions.DiscretizedLogistic;
import org.dgm4j.distributions.Normal;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;

/**
 * The decoder's likelihood p(x|z): how many numbers the decoder emits per pixel, the log-probability
 * of an image under them, the picture of a sample, and how 8-bit images are served to it. The decoder
 * output is laid out as params (N, P, D): P parameter planes of the D = C·H·W pixels.
 *
 * <table>
 *   <tr><th>name</th><th>P</th><th>data x</th><th>log p(x|z) per pixel</th></tr>
 *   <tr><td>bernoulli</td><td>1: logits l</td><td>dynamically binarized {0, 1}</td><td>x·l − softplus(l)</td></tr>
 *   <tr><td>gaussian, fixed σ</td><td>1: mean μ</td><td>dequantized y = (pixel + u)/256 in [0, 1)</td><td>log N(y; μ, σ²)</td></tr>
 *   <tr><td>gaussian, learned σ</td><td>2: μ, log σ²</td><td>as above</td><td>log N(y; μ, σ²), σ² per pixel from the decoder</td></tr>
 *   <tr><td>logistic</td><td>2: μ, log s</td><td>pixel/127.5 − 1 in [−1, 1] (8-bit, no noise)</td><td>{@link DiscretizedLogistic}</td></tr>
 * </table>
 *
 * Bernoulli and the discretized logistic are probabilities of the discrete data, so −log p is a code
 * length in nats. The Gaussian is a density on dequantized pixels; −log P(pixels) ≤ −E_u log p(y) +
 * D·ln 256 ({@link #discretizationNats}), which is what bits/dim comparisons use.
 */
public interface Likelihood {
    /** The config name: bernoulli, gaussian or logistic. */
    String name();

    /** Decoder outputs per pixel (P). */
    int paramsPerPixel();

    /** log p(x | params) summed over the pixels: params (N, P, D), x (N, D) → (N), nats; differentiable in params. */
    Tensor logProb(Tensor params, Tensor x);

    /** The picture of p(x|z): params (N, P, D) → (N, D) with values in [0, 1] (the mean). */
    Tensor mean(Tensor params);

    /**
     * A draw x ~ p(x | params): params (N, P, D) → (N, D), no graph. The VAE on 2-D points samples
     * this way (the decoder's noise is part of the model); images show {@link #mean} instead. Only the
     * Gaussian supports it.
     */
    default Tensor sample(Tensor params, Generator g) {
        throw new UnsupportedOperationException(name() + " likelihood: drawing x ~ p(x|z) is not supported (only gaussian)");
    }

    /** How 8-bit images reach this likelihood (noise, when any, from the generator given to the loader). */
    BatchInput input();

    /** What turns −log p of the served data into a bound on −log P(8-bit pixels): D·ln 256 for a density on dequantized pixels, else 0. */
    default double discretizationNats(long pixels) {
        return 0;
    }

    /** Strings that rebuild it with {@link #fromMetadata} (stored in saved models). */
    Map<String, String> metadata();

    /** Bernoulli logits on binary images. */
    static Likelihood bernoulli() {
        return new BernoulliLikelihood();
    }

    /** Gaussian with the variance σ² fixed (P = 1). */
    static Likelihood gaussian(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("gaussian sigma must be finite and > 0, found " + sigma);
        return new GaussianLikelihood(sigma);
    }

    /** Gaussian with a per-pixel variance emitted by the decoder as log σ² (P = 2). */
    static Likelihood gaussianLearned() {
        return new GaussianLikelihood(0);
    }

    /** The 256-bin discretized logistic on pixels scaled to [−1, 1]. */
    static Likelihood discretizedLogistic() {
        return new LogisticLikelihood(256);
    }

    /** From the config values: name bernoulli | gaussian | logistic; variance learned | fixed; σ when fixed. */
    static Likelihood of(String name, String variance, double sigma) {
        return switch (name) {
            case "bernoulli" -> bernoulli();
            case "gaussian" -> switch (variance) {
                case "learned" -> gaussianLearned();
                case "fixed" -> gaussian(sigma);
                default -> throw new IllegalArgumentException("gaussian variance must be learned or fixed, found '" + variance + "'");
            };
            case "logistic" -> discretizedLogistic();
            default -> throw new IllegalArgumentException("likelihood must be bernoulli, gaussian or logistic, found '" + name + "'");
        };
    }

    /** Inverse of {@link #metadata()}. */
    static Likelihood fromMetadata(Map<String, String> m) {
        String name = m.getOrDefault("likelihood", "bernoulli");
        return of(name, m.getOrDefault("gaussian_variance", "learned"), Double.parseDouble(m.getOrDefault("gaussian_sigma", "1")));
    }

    /** Plane p of params (N, P, D) as (N, D). */
    private static Tensor plane(Tensor params, int p) {
        long n = params.dim(0), d = params.dim(2);
        if (params.dim(1) == 1) return params.reshape(n, d);
        return Ops.slice(params, 1, p, p + 1, 1).reshape(n, d);
    }

    private static void check(Likelihood l, Tensor params, Tensor x) {
        if (params.rank() != 3 || params.dim(1) != l.paramsPerPixel() || x.rank() != 2 || x.dim(0) != params.dim(0) || x.dim(1) != params.dim(2)) {
            throw new IllegalArgumentException(l.name() + " likelihood: params must be (N, " + l.paramsPerPixel() + ", D) and x (N, D), found "
                    + params.shape() + " and " + x.shape());
        }
    }

    private static Tensor clamp01(Tensor t) {
        return Ops.minimum(Ops.maximum(t, Ops.scalarLike(t, 0)), Ops.scalarLike(t, 1));
    }

    /** Float32 (N, C, H, W) from the images at {@code indices}, each pixel mapped by f. */
    private static Tensor pixels(ImageSet set, int[] indices, java.util.function.IntToDoubleFunction f) {
        byte[] raw = set.gatherPixels(indices);
        float[] v = new float[raw.length];
        for (int i = 0; i < v.length; i++) v[i] = (float) f.applyAsDouble(raw[i] & 0xFF);
        return Tensor.of(v, indices.length, set.channels(), set.height(), set.width());
    }

    final class BernoulliLikelihood implements Likelihood {
        @Override public String name() { return "bernoulli"; }
        @Override public int paramsPerPixel() { return 1; }

        @Override
        public Tensor logProb(Tensor params, Tensor x) {
            check(this, params, x);
            return Bernoulli.logProbSum(plane(params, 0), x);
        }

        @Override
        public Tensor mean(Tensor params) {
            return plane(params, 0).sigmoid();
        }

        @Override
        public BatchInput input() {
            return BatchInput.dynamicBinarization();
        }

        @Override
        public Map<String, String> metadata() {
            return Map.of("likelihood", "bernoulli");
        }
    }

    /** sigma > 0: fixed; sigma = 0: learned per pixel. */
    final class GaussianLikelihood implements Likelihood {
        private final double sigma;

        GaussianLikelihood(double sigma) {
            this.sigma = sigma;
        }

        /** The fixed σ, or 0 when the decoder emits log σ². */
        public double sigma() {
            return sigma;
        }

        @Override public String name() { return "gaussian"; }
        @Override public int paramsPerPixel() { return sigma > 0 ? 1 : 2; }

        @Override
        public Tensor logProb(Tensor params, Tensor x) {
            check(this, params, x);
            Tensor lp = sigma > 0 ? Normal.logProb(x, plane(params, 0), sigma) : Normal.logProb(x, plane(params, 0), plane(params, 1));
            return lp.sum(1);
        }

        @Override
        public Tensor mean(Tensor params) {
            return clamp01(plane(params, 0));
        }

        /** x = μ + σ·ε with ε ~ N(0, I) from g, σ fixed or exp(½ log σ²); not clamped (real-valued data). */
        @Override
        public Tensor sample(Tensor params, Generator g) {
            if (params.rank() != 3 || params.dim(1) != paramsPerPixel()) {
                throw new IllegalArgumentException("gaussian likelihood: params must be (N, " + paramsPerPixel() + ", D), found " + params.shape());
            }
            try (var ng = org.dgm4j.autograd.Autograd.noGrad()) {
                Tensor mu = plane(params, 0);
                Tensor eps = g.normal(mu.backend(), mu.dtype(), mu.shape());
                return mu.add(sigma > 0 ? eps.mul(sigma) : plane(params, 1).mul(0.5).exp().mul(eps));
            }
        }

        /** Uniform dequantization y = (pixel + u)/256, u ~ U[0, 1) drawn from the loader's generator. */
        @Override
        public BatchInput input() {
            return (set, indices, g) -> {
                Tensor p = pixels(set, indices, k -> k);
                return p.add(g.uniform(p.backend(), DType.F32, p.shape())).mul(1.0 / 256);
            };
        }

        @Override
        public double discretizationNats(long pixels) {
            return pixels * Math.log(256);
        }

        @Override
        public Map<String, String> metadata() {
            LinkedHashMap<String, String> m = new LinkedHashMap<>();
            m.put("likelihood", "gaussian");
            m.put("gaussian_variance", sigma > 0 ? "fixed" : "learned");
            if (sigma > 0) m.put("gaussian_sigma", Double.toString(sigma));
            return m;
        }
    }

    final class LogisticLikelihood implements Likelihood {
        private final int bins;

        LogisticLikelihood(int bins) {
            this.bins = bins;
        }

        @Override public String name() { return "logistic"; }
        @Override public int paramsPerPixel() { return 2; }

        @Override
        public Tensor logProb(Tensor params, Tensor x) {
            check(this, params, x);
            return DiscretizedLogistic.logProb(x, plane(params, 0), plane(params, 1), bins).sum(1);
        }

        /** The location μ mapped back to [0, 1]. */
        @Override
        public Tensor mean(Tensor params) {
            return clamp01(plane(params, 0).add(1).mul(0.5));
        }

        /** pixel/127.5 − 1: bin centers in [−1, 1], no noise. */
        @Override
        public BatchInput input() {
            return (set, indices, g) -> pixels(set, indices, k -> DiscretizedLogistic.center(k, bins));
        }

        @Override
        public Map<String, String> metadata() {
            return Map.of("likelihood", "logistic");
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "discretized logistic, %d bins", bins);
        }
    }
}
