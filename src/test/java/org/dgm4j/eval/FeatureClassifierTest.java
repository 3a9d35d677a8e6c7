package org.dgm4j.eval;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dgm4j.data.FashionMnist;
import org.dgm4j.train.DataSets;
import org.junit.jupiter.api.Test;

/** The shipped classifier resource: its checksum, version and size, and (with the data) its accuracy. */
class FeatureClassifierTest {
    @Test
    void resourceMatchesItsChecksumAndVersion() {
        byte[] bytes = FeatureClassifier.resourceBytes();
        assertEquals(FeatureClassifier.SHA256, FeatureClassifier.sha256(bytes), "resource " + FeatureClassifier.RESOURCE + " changed: a new file needs a new version");
        assertTrue(bytes.length < 1_000_000, "resource size " + bytes.length);
        try (FeatureClassifier c = FeatureClassifier.load()) {
            assertEquals(159_482, c.parameterCount());
            assertFalse(c.isTraining(), "loaded in evaluation mode");
        }
    }

    /**
     * On the first 2,000 test images. The shipped version measured 0.8896 on all 10,000 (see the
     * resource's metadata); 0.85 leaves room for a 2,000-image subset (standard error 0.007).
     */
    @Test
    void classifiesFashionMnist() {
        FashionMnist data = new FashionMnist();
        assumeTrue(data.isAvailable(), "Fashion-MNIST not installed in " + data.dir());
        try (FeatureClassifier c = FeatureClassifier.load()) {
            double acc = c.accuracy(DataSets.limit(data.test(), 2000));
            assertTrue(acc > 0.85, "accuracy " + acc);
        }
    }
}
