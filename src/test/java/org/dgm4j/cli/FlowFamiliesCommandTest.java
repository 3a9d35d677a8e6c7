package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.dgm4j.cli.CliRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dgm4j.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dgm4j train} for each flow family, a few steps of a tiny model (CPU), then {@code dgm4j sample}
 * at a temperature. Image families log bits/dim: at the start about 8 (the 8-bit discretization term
 * plus a near-standard-normal fit after ActNorm's initialization), finite and below 12.
 */
class FlowFamiliesCommandTest {
    private static List<Double> trainLosses(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("metrics.csv")).stream().skip(1).map(l -> l.split(","))
                .filter(c -> c[0].equals("train")).map(c -> Double.parseDouble(c[3])).toList();
    }

    private static Path train(Path dir, String model, String... sets) {
        List<String> args = new ArrayList<>(List.of("train", "--model", model, "--epochs", "1", "--backend", "cpu", "--out", dir.toString(),
                "--set", "train.log_every=1", "--set", "train.samples=16"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(Files.exists(dir.resolve("model.safetensors")) && Files.exists(dir.resolve("samples-epoch-1.png")));
        return dir;
    }

    private static void sampleAt(Path dir, String t, int width) throws Exception {
        Path png = dir.resolve("t" + t + ".png");
        CliRun s = run("sample", dir.toString(), "--n", "4", "--temperature", t, "--out", png.toString());
        assertEquals(0, s.code(), s.out() + s.err());
        assertEquals(width, ImageIO.read(png.toFile()).getWidth());
    }

    /** --temperature 0.7,1: two grids 8 px apart, each the picture that temperature alone gives (one seed, the same noise). */
    private static void sameDrawsSideBySide(Path dir, String model) throws Exception {
        sampleAt(dir, "1", 2 * (28 + 2) + 2);
        Path both = dir.resolve("both.png");
        CliRun s = run("sample", dir.toString(), "--n", "4", "--temperature", "0.7,1", "--out", both.toString());
        assertEquals(0, s.code(), s.out() + s.err());
        java.awt.image.BufferedImage pair = ImageIO.read(both.toFile());
        int w = 2 * (28 + 2) + 2;
        assertEquals(2 * w + 8, pair.getWidth(), model);
        for (int panel = 0; panel < 2; panel++) {
            java.awt.image.BufferedImage alone = ImageIO.read(dir.resolve(panel == 0 ? "t0.7.png" : "t1.png").toFile());
            for (int y = 0; y < alone.getHeight(); y++) {
                for (int x = 0; x < w; x++) {
                    assertEquals(alone.getRGB(x, y), pair.getRGB(panel * (w + 8) + x, y), model + " panel " + panel + " at " + x + "," + y);
                }
            }
        }
        for (int y = 0; y < pair.getHeight(); y++) assertEquals(0xFFFFFFFF, pair.getRGB(w + 3, y), model + ": the white gap");
    }

    @Test
    void imageFlowsTrainInBitsPerDimAndSampleAtATemperature(@TempDir Path root) throws Exception {
        FashionMnist data = new FashionMnist();
        assumeTrue(data.isAvailable(), "Fashion-MNIST not installed in " + data.dir());
        for (String[] f : List.of(
                new String[] {"glow", "model.steps=2", "model.hidden=8"},
                new String[] {"glow", "model.steps=1", "model.hidden=8", "model.levels=3", "model.learn_top=true", "model.lu=false"}, // padded to 32x32
                new String[] {"realnvp", "model.hidden=8"},
                new String[] {"nice", "model.hidden=32", "model.hidden_layers=2"})) {
            String[] sets = new String[f.length + 2];
            sets[0] = "data.limit_train=64";
            sets[1] = "train.batch_size=32";
            sets[2] = "data.limit_test=200"; // the evaluation of 10,000 images would dominate the test's time
            System.arraycopy(f, 1, sets, 3, f.length - 1);
            Path dir = train(root.resolve(f[0] + f.length), f[0], sets);
            List<Double> losses = trainLosses(dir);
            assertEquals(2, losses.size(), f[0] + ": 64 images in batches of 32, every step logged");
            for (double l : losses) assertTrue(l > 1 && l < 12, f[0] + " bits/dim " + losses);
            assertTrue(Files.readString(dir.resolve("config.yaml")).contains("model.bits: 8"));
            sampleAt(dir, "0.7", 2 * (28 + 2) + 2);
            sameDrawsSideBySide(dir, f[0]);

            Path png = dir.resolve("interpolation.png");
            CliRun i = run("sample", dir.toString(), "--interpolate", "3", "--n", "6");
            assertEquals(0, i.code(), i.out() + i.err());
            java.awt.image.BufferedImage grid = ImageIO.read(png.toFile());
            assertEquals(3 * (28 + 2) + 2, grid.getWidth(), f[0] + ": 3 steps per row");
            assertEquals(2 * (28 + 2) + 2, grid.getHeight(), f[0] + ": 6 / 3 = 2 pairs");
        }
        CliRun bad = run("sample", root.resolve("glow3").toString(), "--interpolate", "1");
        assertEquals(2, bad.code(), "one step is no interpolation: " + bad.err());
    }

    @Test
    void realNvp2dTrainsOnTwoMoonsByDefaultAndOnOtherSets(@TempDir Path root) throws Exception {
        Path moons = train(root.resolve("moons"), "realnvp2d", "data.points=2048", "model.hidden=32", "train.batch_size=256");
        assertTrue(Files.readString(moons.resolve("config.yaml")).contains("data.set: \"two-moons\""));
        List<Double> losses = trainLosses(moons);
        assertTrue(losses.get(losses.size() - 1) < losses.get(0), "nats per point " + losses);
        CliRun s = run("sample", moons.toString(), "--n", "200", "--temperature", "0.5", "--out", moons.resolve("t.png").toString());
        assertEquals(0, s.code(), s.err());
        CliRun several = run("sample", moons.toString(), "--n", "20", "--temperature", "0.5,1");
        assertEquals(1, several.code(), "points have no side-by-side grids");
        assertTrue(several.err().contains("several temperatures need an image model"), several.err());
        assertEquals(2, run("sample", moons.toString(), "--density", "--temperature", "0.5,1").code(), "--density takes one temperature");
        assertEquals(2, run("sample", moons.toString(), "--temperature", "0.5,0").code(), "every temperature > 0");
        train(root.resolve("ring8"), "realnvp2d", "data.set=ring8", "data.points=512", "model.hidden=16", "model.couplings=4");
        CliRun wrong = run("train", "--model", "glow", "--set", "data.set=two-moons", "--backend", "cpu", "--out", root.resolve("bad").toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("glow trains on images"), wrong.err());
    }
}
