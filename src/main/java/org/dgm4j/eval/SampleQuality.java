package org.dgm4j.eval;

import java.util.LinkedHashMap;
import java.util.Locale;

/**
 * Sample quality of an image model on Fashion-MNIST, in the features of {@link FeatureClassifier}:
 * the Fréchet distance ("FD", NOT the Inception FID: same formula, our classifier's 128 features)
 * and Kynkäänniemi et al.'s precision and recall with k = 3, generated samples against real images.
 */
public final class SampleQuality {
    private SampleQuality() {}

    /** The measures and what they were computed from. */
    public record Report(double frechetDistance, double precision, double recall, int k, long realCount, long fakeCount, String classifier) {
        public LinkedHashMap<String, Object> toMap() {
            LinkedHashMap<String, Object> m = new LinkedHashMap<>();
            m.put("frechet_distance", frechetDistance);
            m.put("precision", precision);
            m.put("recall", recall);
            m.put("k", k);
            m.put("real", realCount);
            m.put("generated", fakeCount);
            m.put("classifier", classifier);
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "FD %.3f  precision %.4f  recall %.4f  (k %d; %d real vs %d generated; classifier %s, not Inception)",
                    frechetDistance, precision, recall, k, realCount, fakeCount, classifier);
        }
    }

    /** Real and generated features, (n, d) and (m, d), from the same classifier. */
    public static Report compare(org.dgm4j.tensor.Tensor real, org.dgm4j.tensor.Tensor fake, int k, String classifier) {
        PrecisionRecall.Result pr = PrecisionRecall.of(real, fake, k);
        return new Report(FrechetDistance.of(real, fake), pr.precision(), pr.recall(), k, real.dim(0), fake.dim(0), classifier);
    }
}
