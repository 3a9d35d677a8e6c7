package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.dgm4j.cli.CliRun.run;

import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.io.Safetensors;
import org.dgm4j.rbm.BinaryRbm;
import org.dgm4j.rbm.ExactPartition;
import org.dgm4j.rbm.RbmFamily;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dgm4j train --model helmholtz} and {@code dgm4j eval} end to end on a slice of Fashion-MNIST. */
class NllCommandTest {
    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }

    /** Both families with a proposal: the importance-sampled NLL is reported and lies below the −ELBO of the same draws. */
    @Test
    void trainsAndEvaluatesAVaeAndAHelmholtzMachine(@TempDir Path dir) {
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");
        CliRun hm = run("train", "--model", "helmholtz", "--epochs", "1", "--limit-train", "256", "--backend", "cpu", "--out", dir.resolve("hm").toString(),
                "--set", "model.layers=20,10", "--set", "model.test_k=2");
        assertEquals(0, hm.code(), hm.out());
        CliRun vae = run("train", "--epochs", "1", "--limit-train", "256", "--backend", "cpu", "--out", dir.resolve("vae").toString(),
                "--set", "model.hidden=32", "--set", "model.latent=4");
        assertEquals(0, vae.code(), vae.out());
        for (String m : new String[] {"hm", "vae"}) {
            CliRun e = run("nll", dir.resolve(m).resolve("model.safetensors").toString(), "--k", "20", "--images", "6", "--batch-images", "4",
                    "--chunk", "8", "--backend", "cpu");
            assertEquals(0, e.code(), e.out());
            double nll = number(e.out(), "test NLL \\(importance sampled, k = 20\\): ([0-9.]+)");
            double nelbo = number(e.out(), "test -ELBO \\(mean log-weight of the same draws\\): ([0-9.]+)");
            assertTrue(nll > 100 && nll <= nelbo, m + ": NLL " + nll + " vs -ELBO " + nelbo);
        }
        assertEquals(2, run("nll", dir.resolve("missing.safetensors").toString()).code(), "a missing file is bad usage");
    }

    /** An rbm run: AIS's log Z agrees with the exact one (8 hidden units: 256 states summed out), and the NLL beats coin flips. */
    @Test
    void trainsAnRbmAndEstimatesItsNllThroughAisLogZ(@TempDir Path dir) throws Exception {
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");
        CliRun rbm = run("train", "--model", "rbm", "--epochs", "1", "--limit-train", "300", "--backend", "cpu", "--out", dir.resolve("rbm").toString(),
                "--set", "model.hidden=8", "--set", "model.persistent=true", "--set", "model.chains=10", "--set", "model.sample_steps=5",
                "--set", "data.limit_test=100");
        assertEquals(0, rbm.code(), rbm.out());
        Path saved = dir.resolve("rbm").resolve("model.safetensors");
        CliRun e = run("nll", saved.toString(), "--ais-chains", "32", "--ais-scale", "0.05", "--images", "50", "--backend", "cpu");
        assertEquals(0, e.code(), e.out());
        double logZ = number(e.out(), "log Z = ([0-9.]+)");
        Backends.use(Backends.cpu());
        Safetensors.Contents c = Safetensors.read(saved, Backends.cpu());
        try (BinaryRbm exact = RbmFamily.load(c.metadata(), c.tensors())) {
            // 32 chains over 725 steps of a nearly factorial 8-hidden-unit model: AIS is within a few tenths of a nat here
            assertEquals(ExactPartition.logZ(exact), logZ, 1.0, e.out());
        } finally {
            c.tensors().values().forEach(Tensor::close);
        }
        double nll = number(e.out(), "test NLL \\(AIS log Z\\): ([0-9.]+)");
        assertTrue(nll > 100 && nll < 784 * Math.log(2), "better than a fair coin per pixel: " + e.out());
    }

    /** The fixed test binarization is the peers' FashionMnist.binarized(seed): java.util.Random(seed).nextFloat() per pixel, on iff u < pixel/255f. */
    @Test
    void fixedBinarizationIsThePeers() {
        byte[] px = new byte[300];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7);
        ImageSet set = new ImageSet(px, new int[3], 3, 1, 10, 10, 1);
        float[] b = NllCommand.fixedBinarization(set, 12345);
        Random r = new Random(12345);
        for (int i = 0; i < px.length; i++) assertEquals(r.nextFloat() < (px[i] & 0xff) / 255f ? 1f : 0f, b[i], "pixel " + i);
    }
}
