package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.dgm4j.cli.CliRun.run;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dgm4j experiment modes}: end to end at --quick size (one seed, tiny networks, CPU), and its usage errors. */
class ModesCommandTest {
    @Test
    void quickRunWritesTheTablesThePicturesAndARunPerNetwork(@TempDir Path root) throws Exception {
        Path out = root.resolve("modes");
        CliRun r = run("experiment", "modes", "--quick", "--seed", "3", "--backend", "cpu", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String md = Files.readString(out.resolve(ModesCommand.SUMMARY));
        assertTrue(md.contains("Data ring8-minor: 8 axis-aligned Gaussians, weights 0.0141 0.1408"), md);
        assertTrue(md.contains("| model | seeds | modes captured |"), md);
        for (String m : List.of("data", "gan", "vae", "realnvp2d", "gmm")) assertTrue(md.contains("| " + m + " | 1 |"), m + " row\n" + md);
        assertTrue(md.contains("| 0 (minor) | 0.0141 |"), md);
        assertTrue(md.contains("- gan captured all 8 modes in "), md);
        assertTrue(md.contains("| realnvp2d | 1 |") && md.contains("| exact |"), "the flow's KLs use its exact density\n" + md);
        assertTrue(r.out().contains("seed 3 gmm"), r.out());

        List<String> csv = Files.readAllLines(out.resolve(ModesCommand.CSV));
        assertEquals(6, csv.size(), "header, data and four models: " + csv);
        assertTrue(csv.get(4).startsWith("3,realnvp2d,") && csv.get(4).contains(",\"exact\","), csv.get(4));
        assertTrue(csv.get(2).startsWith("3,gan,") && csv.get(2).contains("\"kde h="), csv.get(2));
        for (String line : csv.subList(1, 6)) {
            String[] c = line.split(",");
            assertFalse(c[5].isEmpty() || c[6].isEmpty(), "finite KLs: " + line);
        }

        BufferedImage all = ImageIO.read(out.resolve(ModesCommand.PNG).toFile()), seed = ImageIO.read(out.resolve("seed-3").resolve(ModesCommand.PNG).toFile());
        assertEquals(4 * 420, all.getWidth(), "one row of four panels per seed");
        assertEquals(420, all.getHeight());
        assertEquals(2 * 420, seed.getWidth());
        assertEquals(2 * 420, seed.getHeight());
        String json = Files.readString(out.resolve("seed-3").resolve(ModesCommand.SEED_JSON));
        assertTrue(json.contains("\"gmm\": {") && json.contains("\"kl_method\": \"exact\""), json);
        for (String n : ModesCommand.NETWORKS) {
            Path dir = out.resolve("seed-3").resolve(n);
            assertTrue(Files.exists(dir.resolve("model.safetensors")) && Files.exists(dir.resolve("config.yaml")) && Files.exists(dir.resolve("metrics.csv")), n);
            assertTrue(Files.readString(dir.resolve("config.yaml")).contains("seed: 3"), n);
        }
        assertTrue(Files.readString(out.resolve("seed-3").resolve("vae").resolve("config.yaml")).contains("model.likelihood: \"gaussian\""));

        CliRun again = run("experiment", "modes", "--quick", "--out", out.toString());
        assertEquals(2, again.code(), "an experiment is never mixed into another: " + again.err());
        assertTrue(again.err().contains("already holds a modes experiment"), again.err());
    }

    @Test
    void usageErrorsExitWithTwoBeforeAnyTraining(@TempDir Path root) {
        String out = root.resolve("x").toString();
        String[][] bad = {
            {"--seeds", "2", "--seed", "1"},
            {"--seeds", "0"},
            {"--samples", "10"},
            {"--epochs", "0"},
            {"--data", "two-moons"},
            {"--set", "model.hidden=8"},
            {"--set", "gmm:model.hidden=8"},
            {"--set", "gan:model.nope=8"},
            {"--set", "vae:train.lr=-1"},
            {"--unknown"},
        };
        for (String[] b : bad) {
            String[] args = new String[b.length + 4];
            args[0] = "experiment";
            args[1] = "modes";
            System.arraycopy(b, 0, args, 2, b.length);
            args[b.length + 2] = "--out";
            args[b.length + 3] = out;
            CliRun r = run(args);
            assertEquals(2, r.code(), String.join(" ", b) + ": " + r.err());
            assertFalse(Files.exists(Path.of(out).resolve("seed-0")), String.join(" ", b) + " trained nothing");
        }
        assertTrue(run("experiment", "modes", "--set", "gan:model.nope=8", "--out", out).err().contains("unknown key"));
        CliRun missing = run("experiment");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing experiment"), missing.err());
        CliRun help = run("experiment", "modes", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--seeds") && help.out().contains("Examples:") && help.out().contains("Exit codes"), help.out());
    }
}
