package org.dgm4j.vae;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.dgm4j.cli.Main;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** model: vae's objective settings (β, KL warm-up, IWAE), its metric columns, and an exact resume in the middle of a warm-up. */
class VaeFamilyTest {
    @Test
    void klWarmUpIsLinearInTheStep() {
        VaeFamily.Settings s = new VaeFamily.Settings(0.5, 100, 1);
        assertEquals(0.005, s.klWeight(1), 1e-15);
        assertEquals(0.25, s.klWeight(50), 1e-15);
        assertEquals(0.5, s.klWeight(100), 0);
        assertEquals(0.5, s.klWeight(10_000), 0);
        assertEquals(2.0, new VaeFamily.Settings(2, 0, 1).klWeight(1), 0, "no warm-up: beta from the first step");
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new VaeFamily.Settings(-1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new VaeFamily.Settings(1, -5, 1));
        assertThrows(IllegalArgumentException.class, () -> new VaeFamily.Settings(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new VaeFamily.Settings(0.5, 0, 8), "IWAE has no KL weight");
        assertThrows(IllegalArgumentException.class, () -> new VaeFamily.Settings(1, 10, 8), "IWAE has no warm-up");
    }

    private static LinkedHashMap<String, Double> terms(Likelihood l, VaeFamily.Settings s, long step) {
        try (Vae vae = new Vae(1, 4, 4, 8, 2, Vae.Architecture.MLP, l, DType.F32, new Generator(1));
             Adam adam = new Adam(vae.parameters(), 1e-3);
             VaeFamily.VaeTrainable t = new VaeFamily.VaeTrainable(vae, adam, s);
             Scope sc = Scope.open()) {
            Tensor x = l.name().equals("logistic") ? Tensor.of(new float[32], 2, 1, 4, 4) : new Generator(2).uniform(DType.F32, 2, 1, 4, 4);
            LinkedHashMap<String, Double> v = new LinkedHashMap<>();
            t.terms(x, new Generator(3), step).forEach((k, tensor) -> v.put(k, tensor.item()));
            return v;
        }
    }

    @Test
    void metricColumnsFollowTheSettings() {
        assertEquals(List.of("loss", "recon", "kl"), List.copyOf(terms(Likelihood.bernoulli(), VaeFamily.Settings.elbo(), 1).keySet()));
        LinkedHashMap<String, Double> w = terms(Likelihood.bernoulli(), new VaeFamily.Settings(1, 10, 1), 4);
        assertEquals(List.of("loss", "recon", "kl", "nelbo", "beta"), List.copyOf(w.keySet()));
        assertEquals(0.4, w.get("beta"), 1e-7);
        assertEquals(w.get("recon") + 0.4 * w.get("kl"), w.get("loss"), 1e-3);
        assertEquals(w.get("recon") + w.get("kl"), w.get("nelbo"), 1e-3);
        assertEquals(1.0, terms(Likelihood.bernoulli(), new VaeFamily.Settings(1, 10, 1), -1).get("beta"), 0, "test rows use the full weight");
        LinkedHashMap<String, Double> iw = terms(Likelihood.bernoulli(), new VaeFamily.Settings(1, 0, 4), 1);
        assertEquals(List.of("loss", "recon", "kl", "nelbo"), List.copyOf(iw.keySet()));
        LinkedHashMap<String, Double> lg = terms(Likelihood.discretizedLogistic(), VaeFamily.Settings.elbo(), 1);
        assertEquals(List.of("loss", "recon", "kl", "bpd"), List.copyOf(lg.keySet()));
        assertEquals(lg.get("loss") / (16 * Math.log(2)), lg.get("bpd"), 1e-4, "bits per pixel of the 16 pixels");
        LinkedHashMap<String, Double> ga = terms(Likelihood.gaussianLearned(), VaeFamily.Settings.elbo(), 1);
        assertEquals((ga.get("loss") + 16 * Math.log(256)) / (16 * Math.log(2)), ga.get("bpd"), 1e-4, "Gaussian: + D ln 256 of the dequantization");
    }

    private static int run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute(args);
        assertEquals(0, code, out.toString());
        return code;
    }

    /**
     * A run with a KL warm-up over 6 steps (4 steps per epoch), stopped after epoch 1 and resumed for
     * epoch 2, ends with the same parameters, bit for bit, as the same run straight through: the weight
     * is a function of the step alone.
     */
    @Test
    void resumeInTheMiddleOfTheWarmUpIsExact(@TempDir Path dir) throws Exception {
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");
        String[] common = {"--limit-train", "512", "--backend", "cpu", "--set", "model.kl_warmup_steps=6", "--set", "model.beta=0.5",
                "--set", "model.hidden=32", "--set", "model.latent=4"};
        Path straight = dir.resolve("straight"), split = dir.resolve("split");
        run(concat(common, "train", "--epochs", "2", "--out", straight.toString()));
        run(concat(common, "train", "--epochs", "1", "--out", split.toString()));
        run(concat(common, "train", "--epochs", "2", "--out", split.toString(), "--resume", "auto"));
        assertArrayEquals(Files.readAllBytes(straight.resolve("model.safetensors")), Files.readAllBytes(split.resolve("model.safetensors")));
        List<String> rows = Files.readAllLines(straight.resolve("metrics.csv"));
        assertEquals("split,epoch,step,loss,recon,kl,nelbo,beta,images_per_s,elapsed_s", rows.get(0));
        assertEquals(Files.readAllLines(split.resolve("metrics.csv")).stream().map(VaeFamilyTest::withoutTimes).toList(),
                rows.stream().map(VaeFamilyTest::withoutTimes).toList(), "the same metrics rows, beta included");
    }

    private static String withoutTimes(String csvRow) {
        String[] c = csvRow.split(",");
        return String.join(",", java.util.Arrays.copyOf(c, c.length - 2));
    }

    private static String[] concat(String[] tail, String... head) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
