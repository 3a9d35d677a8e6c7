package org.dgm4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dgm4j.backend.Backends;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.data.DataFileException;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.Checkpoints;
import org.dgm4j.train.DataSets;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.RunSchema;
import org.dgm4j.train.TrainConfig;
import org.dgm4j.train.Trainable;
import org.dgm4j.train.Trainer;

/**
 * A trained model rebuilt from its run directory (for {@code sample} and {@code eval}): the run's
 * config.yaml (plus any --set), the family's module, and the weights of model.safetensors, or of the
 * newest valid checkpoint when the run has no final model yet, or of one checkpoint folder given.
 */
record SavedRun(Path dir, Config config, ModelFamily family, Trainable model, String weights) implements AutoCloseable {
    static SavedRun open(Path runOrCheckpoint, List<String> sets) throws IOException {
        Path dir = runOrCheckpoint, checkpoint = null;
        if (Files.isRegularFile(runOrCheckpoint.resolve(Checkpoints.STATE))) {
            checkpoint = runOrCheckpoint;
            dir = runOrCheckpoint.getParent().getParent();
        }
        Path yaml = dir.resolve(TrainCommand.CONFIG_FILE);
        if (!Files.isRegularFile(yaml)) throw new IllegalArgumentException(runOrCheckpoint + ": expected a run directory (with " + TrainCommand.CONFIG_FILE + ") or a checkpoint folder, found neither");
        List<ConfigEntry> entries = new ArrayList<>(ConfigEntry.yaml(yaml));
        for (String s : sets) entries.add(ConfigEntry.assignment("--set", s));
        String name = Config.peek(entries, "model");
        ModelFamily family = ModelFamilies.byName(name);
        if (family == null) throw new IllegalArgumentException(yaml + ": model '" + name + "' is not one of " + ModelFamilies.names());
        Config config = Config.resolve(RunSchema.keys(family, ModelFamilies.names()), entries);
        Backends.use(Backends.select(config.getString("backend")));
        Trainable model = family.create(config, DataSets.exampleShape(config), Trainer.stream(TrainConfig.from(config).seed(), Trainer.INIT));
        try {
            String weights = load(model, dir, checkpoint);
            return new SavedRun(dir, config, family, model, weights);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Copies the weights in; returns where they came from. */
    private static String load(Trainable model, Path dir, Path checkpoint) throws IOException {
        Path file = dir.resolve(Trainer.MODEL_FILE);
        if (checkpoint == null && Files.isRegularFile(file)) {
            Map<String, Tensor> t = Safetensors.read(file, Backends.current()).tensors();
            try {
                model.module().loadStateDict(t);
            } finally {
                t.values().forEach(Tensor::close);
            }
            return file.toString();
        }
        try (Checkpoints.Loaded c = checkpoint != null ? Checkpoints.read(checkpoint, Backends.current())
                : Checkpoints.newestValid(dir, Backends.current(), m -> System.err.println("dgm4j: " + m))) {
            if (c == null) throw new DataFileException(dir.toString(), -1, "expected " + Trainer.MODEL_FILE + " or a valid checkpoint, found neither");
            model.module().loadStateDict(c.withPrefix("module/"));
            return c.dir() + " (step " + c.step() + ")";
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
