package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dgm4j train --model helmholtz} and {@code dgm4j eval} end to end on a slice of Fashion-MNIST. */
class NllCommandTest {
    private record Run(int code, String out) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        return new Run(cl.execute(args), out.toString());
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }

    /** Both families with a proposal: the importance-sampled NLL is reported and lies below the −ELBO of the same draws. */
    @Test
    void trainsAndEvaluatesAVaeAndAHelmholtzMachine(@TempDir Path dir) {
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");
        Run hm = run("train", "--model", "helmholtz", "--epochs", "1", "--limit-train", "256", "--backend", "cpu", "--out", dir.resolve("hm").toString(),
                "--set", "model.layers=20,10", "--set", "model.test_k=2");
        assertEquals(0, hm.code(), hm.out());
        Run vae = run("train", "--epochs", "1", "--limit-train", "256", "--backend", "cpu", "--out", dir.resolve("vae").toString(),
                "--set", "model.hidden=32", "--set", "model.latent=4");
        assertEquals(0, vae.code(), vae.out());
        for (String m : new String[] {"hm", "vae"}) {
            Run e = run("nll", dir.resolve(m).resolve("model.safetensors").toString(), "--k", "20", "--images", "6", "--batch-images", "4",
                    "--chunk", "8", "--backend", "cpu");
            assertEquals(0, e.code(), e.out());
            double nll = number(e.out(), "test NLL \\(importance sampled, k = 20\\): ([0-9.]+)");
            double nelbo = number(e.out(), "test -ELBO \\(mean log-weight of the same draws\\): ([0-9.]+)");
            assertTrue(nll > 100 && nll <= nelbo, m + ": NLL " + nll + " vs -ELBO " + nelbo);
        }
        assertEquals(2, run("nll", dir.resolve("missing.safetensors").toString()).code(), "a missing file is bad usage");
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
