package org.dgm4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    static final List<ConfigKey> SCHEMA = List.of(
            ConfigKey.choice("model", "vae", "family", "vae", "glow"),
            ConfigKey.integer("train.epochs", 5, "epochs"),
            ConfigKey.number("train.lr", 1e-3, "rate"),
            ConfigKey.longInteger("train.seed", 0, "seed"),
            ConfigKey.bool("train.amp", false, "flag"),
            ConfigKey.string("run.note", "", "free text"));

    static Path yaml(Path dir, String text) throws Exception {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void nestedAndDottedKeysFileThenSetsLaterWins(@TempDir Path dir) throws Exception {
        List<ConfigEntry> e = new ArrayList<>(ConfigEntry.yaml(yaml(dir, "model: glow\ntrain:\n  epochs: 7\n  lr: 1e-4\ntrain.seed: 12\n")));
        e.add(ConfigEntry.assignment("--set", "train.epochs=9"));
        Config c = Config.resolve(SCHEMA, e);
        assertEquals("glow", c.getString("model"));
        assertEquals(9, c.getInt("train.epochs"));
        assertEquals(1e-4, c.getDouble("train.lr"));
        assertEquals(12L, c.getLong("train.seed"));
        assertEquals(false, c.getBool("train.amp"), "defaults fill the rest");
        assertEquals("glow", Config.peek(e, "model"));
    }

    @Test
    void resolvedConfigWrittenAsYamlReadsBackEqual(@TempDir Path dir) throws Exception {
        Config c = Config.resolve(SCHEMA, List.of(ConfigEntry.assignment("--set", "train.lr=0.1234567890123"),
                ConfigEntry.assignment("--set", "run.note=a \"quoted\": value # not a comment")));
        Config back = Config.resolve(SCHEMA, ConfigEntry.yaml(yaml(dir, c.toYaml())));
        assertEquals(c, back);
        assertEquals("a \"quoted\": value # not a comment", back.getString("run.note"));
    }

    @Test
    void unknownKeyNamesItsPlaceAndASuggestion(@TempDir Path dir) throws Exception {
        ConfigException x = assertThrows(ConfigException.class,
                () -> Config.resolve(SCHEMA, ConfigEntry.yaml(yaml(dir, "model: vae\ntrain:\n  epoch: 3\n"))));
        assertTrue(x.getMessage().contains("run.yaml:3:3") && x.getMessage().contains("unknown key 'train.epoch'")
                && x.getMessage().contains("did you mean train.epochs"), x.getMessage());
    }

    @Test
    void wrongTypeNamesKeyExpectedAndFound(@TempDir Path dir) throws Exception {
        ConfigException x = assertThrows(ConfigException.class,
                () -> Config.resolve(SCHEMA, ConfigEntry.yaml(yaml(dir, "train.epochs: five\n"))));
        assertTrue(x.getMessage().contains("run.yaml:1:1") && x.getMessage().contains("train.epochs")
                && x.getMessage().contains("expected an integer") && x.getMessage().contains("'five'"), x.getMessage());
        ConfigException y = assertThrows(ConfigException.class, () -> Config.resolve(SCHEMA, List.of(ConfigEntry.assignment("--set", "model=gan"))));
        assertTrue(y.getMessage().contains("--set model=gan") && y.getMessage().contains("one of vae, glow"), y.getMessage());
        assertThrows(ConfigException.class, () -> Config.resolve(SCHEMA, List.of(ConfigEntry.assignment("--set", "train.amp=maybe"))));
        assertThrows(ConfigException.class, () -> Config.resolve(SCHEMA, List.of(ConfigEntry.assignment("--set", "train.lr=nan"))));
    }

    @Test
    void malformedFilesAreRejectedWithPositions(@TempDir Path dir) throws Exception {
        for (String[] c : new String[][] {
            {"train.epochs: 3\ntrain.epochs: 4\n", "set twice"},
            {"train:\n  epochs:\n", "has no value"},
            {"train.epochs: [1, 2]\n", "expected a single value"},
            {"- a\n- b\n", "expected a mapping"},
            {"train: {epochs: 3\n", "not valid YAML"},
        }) {
            ConfigException x = assertThrows(ConfigException.class, () -> Config.resolve(SCHEMA, ConfigEntry.yaml(yaml(dir, c[0]))), c[0]);
            assertTrue(x.getMessage().contains(c[1]) && x.getMessage().contains("run.yaml"), c[0] + " -> " + x.getMessage());
        }
        assertThrows(ConfigException.class, () -> ConfigEntry.assignment("--set", "train.epochs"));
        assertEquals(List.of(), ConfigEntry.yaml(yaml(dir, "")), "an empty file sets nothing");
    }
}
