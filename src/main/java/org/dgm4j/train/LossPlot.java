package org.dgm4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dgm4j.io.Plot;

/** {@code loss.png}: the training loss (each metrics row) and the test loss (each epoch) against the step. */
final class LossPlot {
    private LossPlot() {}

    static void write(Path file, List<Map<String, Object>> rows) throws IOException {
        Plot p = new Plot("loss", 640, 400).labels("step", "loss");
        for (String split : List.of("train", "test")) {
            List<Map<String, Object>> r = rows.stream().filter(m -> split.equals(m.get("split")) && m.get("loss") instanceof Number).toList();
            double[] x = r.stream().mapToDouble(m -> ((Number) m.get("step")).doubleValue()).toArray();
            double[] y = r.stream().mapToDouble(m -> ((Number) m.get("loss")).doubleValue()).toArray();
            if (split.equals("train")) p.line(x, y, Plot.PALETTE[0], "train");
            else p.points(x, y, Plot.PALETTE[1], "test", 7);
        }
        p.write(file);
    }
}
