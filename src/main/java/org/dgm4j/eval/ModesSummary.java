package org.dgm4j.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The modes experiment's results over seeds ({@code dgm4j experiment modes}): one {@link Run} per
 * (seed, model), folded into a CSV, markdown tables (mean ± sample standard deviation over seeds) and
 * observations computed from the numbers. Nothing here states what a model is expected to do: every
 * sentence is a count or a mean of the runs given.
 *
 * <p>The minor mode is the one with the smallest true weight (when it is unique); a mode is dropped
 * when {@link ModeStatistics} does not count it as captured (fraction below capture·weight).
 */
public final class ModesSummary {
    /** The name of the reference row: an independent sample of the data itself, measured like a model. */
    public static final String DATA = "data";

    /**
     * One model trained with one seed.
     *
     * @param model   its name (gan, vae, realnvp2d, gmm) or {@link #DATA}
     * @param modes   mode statistics of its samples
     * @param kl      the KL estimates reported for it: exact model density where it has one, else the KDE
     * @param kde     both KLs with the model density taken from a KDE of its samples (the same method for
     *                every model, to compare estimators); may equal {@code kl}
     * @param seconds training (or fitting) time
     */
    public record Run(String model, long seed, ModeStatistics.Report modes, DensityKl.Estimate kl, DensityKl.Estimate kde, double seconds) {}

    private final List<Run> runs;
    private final List<String> models = new ArrayList<>();
    private final double[] weights;
    private final int minor;

    /** runs: every (seed, model) pair, all against the same mixture. */
    public ModesSummary(List<Run> runs) {
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs to summarize");
        this.runs = List.copyOf(runs);
        weights = runs.get(0).modes().weights();
        for (Run r : runs) {
            if (r.modes().weights().length != weights.length) throw new IllegalArgumentException("runs measured against different mixtures");
            if (!models.contains(r.model())) models.add(r.model());
        }
        minor = minorMode(weights);
    }

    /** The index of the unique smallest weight, or −1 when the smallest weight is shared. */
    public static int minorMode(double[] weights) {
        int m = 0;
        for (int k = 1; k < weights.length; k++) if (weights[k] < weights[m]) m = k;
        for (int k = 0; k < weights.length; k++) if (k != m && weights[k] == weights[m]) return -1;
        return m;
    }

    public int minor() {
        return minor;
    }

    /** The runs of one model, in the order given. */
    public List<Run> of(String model) {
        return runs.stream().filter(r -> r.model().equals(model)).toList();
    }

    /** Whether a run dropped mode k (its fraction below capture·weight). */
    public static boolean dropped(Run r, int k) {
        ModeStatistics.Report m = r.modes();
        return m.fractions()[k] < m.capture() * m.weights()[k];
    }

    /** Modes other than the minor one that the run dropped. */
    public int majorDropped(Run r) {
        int n = 0;
        for (int k = 0; k < weights.length; k++) if (k != minor && dropped(r, k)) n++;
        return n;
    }

    // ---- files --------------------------------------------------------------------------------------

    /** One row per run: seed, model, counts, KLs (reported and KDE), per-mode fractions, seconds. */
    public String csv() {
        StringBuilder b = new StringBuilder("seed,model,captured,modes,off_mode,kl_data_model,kl_model_data,kl_method,kde_kl_data_model,kde_kl_model_data,kde_method");
        for (int k = 0; k < weights.length; k++) b.append(",fraction_").append(k);
        b.append(",seconds\n");
        for (Run r : runs) {
            b.append(r.seed()).append(',').append(r.model()).append(',').append(r.modes().captured()).append(',').append(weights.length)
                    .append(',').append(num(r.modes().offMode())).append(',').append(num(r.kl().dataToModel())).append(',').append(num(r.kl().modelToData()))
                    .append(',').append(quote(r.kl().method())).append(',').append(num(r.kde().dataToModel())).append(',').append(num(r.kde().modelToData()))
                    .append(',').append(quote(r.kde().method()));
            for (double f : r.modes().fractions()) b.append(',').append(num(f));
            b.append(',').append(num(r.seconds())).append('\n');
        }
        return b.toString();
    }

    /** The summary table over seeds, the per-mode table, and the observations, as markdown. */
    public String markdown() {
        ModeStatistics.Report any = runs.get(0).modes();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Mean ± sd over seeds (%s). A sample is in mode k when within %.3g stddevs of its mean (nearest wins), "
                + "else off-mode; a mode is captured when it receives at least %.3g × its true weight. KL in nats.%n%n",
                seedsText(), any.radius(), any.capture()));
        b.append("| model | seeds | modes captured | minor mode dropped | minor-mode fraction | off-mode | KL(data‖model) | KL(model‖data) | model density | KDE KL(data‖model) | KDE KL(model‖data) |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String m : models) {
            List<Run> rs = of(m);
            long minorDropped = minor < 0 ? 0 : rs.stream().filter(r -> dropped(r, minor)).count();
            b.append("| ").append(m).append(" | ").append(rs.size())
                    .append(" | ").append(meanSd(rs, r -> r.modes().captured(), "%.1f")).append(String.format(Locale.ROOT, " of %d", weights.length))
                    .append(" | ").append(minor < 0 ? "–" : minorDropped + "/" + rs.size())
                    .append(" | ").append(minor < 0 ? "–" : meanSd(rs, r -> r.modes().fractions()[minor], "%.4f"))
                    .append(" | ").append(meanSd(rs, r -> r.modes().offMode(), "%.4f"))
                    .append(" | ").append(meanSd(rs, r -> r.kl().dataToModel(), "%.3g"))
                    .append(" | ").append(meanSd(rs, r -> r.kl().modelToData(), "%.3g"))
                    .append(" | ").append(methodText(rs))
                    .append(" | ").append(meanSd(rs, r -> r.kde().dataToModel(), "%.3g"))
                    .append(" | ").append(meanSd(rs, r -> r.kde().modelToData(), "%.3g")).append(" |\n");
        }
        b.append("\nFraction of samples per mode (mean ± sd over seeds) beside the true weight").append(minor >= 0 ? "; mode " + minor + " is the minor mode" : "")
                .append(String.format(Locale.ROOT, ". The data itself puts %.4f × the weight in each mode (the mass within %.3g stddevs of a 2-D Gaussian).%n%n",
                        1 - Math.exp(-any.radius() * any.radius() / 2), any.radius()));
        b.append("| mode | true weight |");
        for (String m : models) b.append(' ').append(m).append(" |");
        b.append("\n|---|---|");
        b.append("---|".repeat(models.size())).append('\n');
        for (int k = 0; k < weights.length; k++) {
            final int mode = k;
            b.append("| ").append(k).append(k == minor ? " (minor)" : "").append(" | ").append(String.format(Locale.ROOT, "%.4f", weights[k])).append(" |");
            for (String m : models) b.append(' ').append(meanSd(of(m), r -> r.modes().fractions()[mode], "%.4f")).append(" |");
            b.append('\n');
        }
        b.append("| off-mode | – |");
        for (String m : models) b.append(' ').append(meanSd(of(m), r -> r.modes().offMode(), "%.4f")).append(" |");
        b.append("\n\nObserved:\n\n");
        for (String o : observations()) b.append("- ").append(o).append('\n');
        return b.toString();
    }

    /** Sentences computed from the runs: per model the modes captured, minor and major modes dropped, off-mode mass; the KL rankings. */
    public List<String> observations() {
        List<String> out = new ArrayList<>();
        double dataOff = runs.stream().filter(r -> r.model().equals(DATA)).mapToDouble(r -> r.modes().offMode()).average().orElse(Double.NaN);
        for (String m : models) {
            if (m.equals(DATA)) continue;
            List<Run> rs = of(m);
            int n = rs.size();
            long all = rs.stream().filter(r -> r.modes().captured() == weights.length).count();
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s captured all %d modes in %d/%d seeds (mean %.1f)", m, weights.length, all, n,
                    mean(rs, r -> r.modes().captured())));
            if (minor >= 0) {
                long md = rs.stream().filter(r -> dropped(r, minor)).count();
                s.append(String.format(Locale.ROOT, "; it dropped the minor mode in %d/%d seeds (mean fraction %.4f against the true weight %.4f)",
                        md, n, mean(rs, r -> r.modes().fractions()[minor]), weights[minor]));
                long majors = rs.stream().filter(r -> majorDropped(r) > 0).count();
                s.append(String.format(Locale.ROOT, " and at least one major mode in %d/%d seeds (%.1f major modes dropped on average)",
                        majors, n, mean(rs, this::majorDropped)));
            }
            double off = mean(rs, r -> r.modes().offMode());
            s.append(String.format(Locale.ROOT, "; %.1f%% of its samples fell off every mode", 100 * off));
            if (Double.isFinite(dataOff)) s.append(String.format(Locale.ROOT, " (%.1f× the data's own %.1f%%)", off / dataOff, 100 * dataOff));
            out.add(s.append('.').toString());
        }
        out.add(ranking("KL(data‖model)", r -> r.kl().dataToModel()));
        out.add(ranking("KL(model‖data)", r -> r.kl().modelToData()));
        List<String> kdeModels = models.stream().filter(m -> !m.equals(DATA) && of(m).stream().anyMatch(r -> r.kl().method().startsWith("kde"))).toList();
        if (!kdeModels.isEmpty()) {
            StringBuilder s = new StringBuilder("The KLs of " + String.join(" and ", kdeModels) + " use a KDE of the model's samples");
            if (models.contains(DATA)) {
                s.append(String.format(Locale.ROOT, "; the same estimator on a sample of the data itself gives KL(data‖model) %.3g and KL(model‖data) %.3g, its error at a perfect model",
                        mean(of(DATA), r -> r.kde().dataToModel()), mean(of(DATA), r -> r.kde().modelToData())));
            }
            List<String> both = models.stream().filter(m -> !m.equals(DATA) && of(m).stream().allMatch(r -> r.kl().method().equals("exact"))).toList();
            for (String m : both) {
                s.append(String.format(Locale.ROOT, "; for %s the KDE gives %.3g / %.3g where the exact density gives %.3g / %.3g", m,
                        mean(of(m), r -> r.kde().dataToModel()), mean(of(m), r -> r.kde().modelToData()),
                        mean(of(m), r -> r.kl().dataToModel()), mean(of(m), r -> r.kl().modelToData())));
            }
            out.add(s.append('.').toString());
        }
        return out;
    }

    private String ranking(String what, ToDoubleFunction<Run> f) {
        List<String> ms = new ArrayList<>(models.stream().filter(m -> !m.equals(DATA)).toList());
        Map<String, Double> means = new LinkedHashMap<>();
        for (String m : ms) means.put(m, mean(of(m), f));
        ms.sort((a, c) -> Double.compare(means.get(a), means.get(c)));
        StringBuilder s = new StringBuilder("Mean " + what + ", lowest first: ");
        for (int i = 0; i < ms.size(); i++) s.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%s %.3g", ms.get(i), means.get(ms.get(i))));
        return s.append('.').toString();
    }

    private String seedsText() {
        List<Long> seeds = runs.stream().map(Run::seed).distinct().toList();
        return seeds.size() == 1 ? "seed " + seeds.get(0) : seeds.size() + " seeds: " + seeds.stream().map(String::valueOf).reduce((a, c) -> a + ", " + c).orElse("");
    }

    private static String methodText(List<Run> rs) {
        String m = rs.get(0).kl().method();
        if (m.startsWith("kde")) return "KDE, h " + meanSd(rs, r -> r.kde().bandwidth(), "%.3g");
        return m;
    }

    public static double mean(List<Run> rs, ToDoubleFunction<Run> f) {
        return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n − 1); 0 for one value. */
    public static double sd(List<Run> rs, ToDoubleFunction<Run> f) {
        if (rs.size() < 2) return 0;
        double m = mean(rs, f), s = 0;
        for (Run r : rs) s += (f.applyAsDouble(r) - m) * (f.applyAsDouble(r) - m);
        return Math.sqrt(s / (rs.size() - 1));
    }

    /** "mean ± sd", or the mean alone for one run. */
    static String meanSd(List<Run> rs, ToDoubleFunction<Run> f, String format) {
        String m = String.format(Locale.ROOT, format, mean(rs, f));
        return rs.size() < 2 ? m : m + " ± " + String.format(Locale.ROOT, format, sd(rs, f));
    }

    private static String num(double d) {
        return Double.isFinite(d) ? Double.toString(d) : "";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
