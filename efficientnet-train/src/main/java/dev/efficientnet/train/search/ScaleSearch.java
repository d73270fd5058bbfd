package dev.efficientnet.train.search;

import dev.efficientnet.core.io.AtomicFiles;
import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.PresetFile;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A compound-scaling search in a run folder: the grid of {@link ScaleGrid}, each point trained
 * with the same short budget through a {@link CandidateRunner}, the results appended to
 * {@code results.jsonl} as each candidate finishes (a second {@link #run} skips them: the search
 * resumes), then the winner by the paper's score ACC&middot;(MACs/T)<sup>w</sup> (T = budget
 * &times; the base's MACs, w = &minus;0.07) and by plain accuracy, and the family the winner
 * implies for &phi; = 1&hellip;7.
 *
 * <p>With {@code ablationSeeds} &gt; 0 the search then trains, for that many seeds, the winner,
 * the base, and the base scaled by width only, depth only and resolution only to the winner's
 * MACs (the paper's Figure 3 comparison at equal cost).
 *
 * <p>Files: {@code search.json} (the settings; a folder holding another search's settings is
 * refused), {@code results.jsonl}, {@code candidates.csv}, {@code accuracy_vs_macs.png},
 * {@code presets.json} (the family, for {@code --preset-file}), {@code summary.json}, and the
 * candidates' run folders under {@code candidates/}.
 */
public final class ScaleSearch {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleSearch.class);
    /** The paper's exponent of the FLOPs term. */
    public static final double PAPER_W = -0.07;
    /** Highest &phi; of the family. */
    public static final int MAX_PHI = 7;
    /** Settings file. */
    public static final String SETTINGS_FILE = "search.json";
    /** Results file: one JSON object per finished candidate. */
    public static final String RESULTS_FILE = "results.jsonl";

    /**
     * @param budget         FLOPs factor of &phi; = 1 (paper: 2)
     * @param step           grid step (paper: 0.05)
     * @param tolerance      accepted relative distance to the budget (0.05)
     * @param w              score exponent (paper: &minus;0.07)
     * @param ablationSeeds  seeds of the equal-MACs comparison (0 = none)
     * @param familyName     name prefix of the family presets ({@code <prefix>_phi1} ...)
     */
    public record Settings(double budget, double step, double tolerance, double w, int ablationSeeds, String familyName) {
        /** Validates. */
        public Settings {
            ScaleGrid.grid(budget, step, tolerance); // validates the three
            if (!Double.isFinite(w)) throw new IllegalArgumentException("w must be finite, got " + w);
            if (ablationSeeds < 0) throw new IllegalArgumentException("ablation seeds must be >= 0, got " + ablationSeeds);
            if (familyName == null || !familyName.matches("[a-z][a-z0-9_]*"))
                throw new IllegalArgumentException("family name must be lower-case letters, digits and '_', got '" + familyName + "'");
        }
    }

    /** One &phi; of the family. */
    public record FamilyMember(int phi, ModelSpec spec, int resolution, long params, long macs) {
    }

    /** Accuracy statistics of one kind of the equal-MACs comparison. */
    public record AblationRow(String kind, ScalePoint point, int resolution, long params, long macs, List<Double> accuracies) {
        /** Mean accuracy. */
        public double mean() {
            return accuracies.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        /** Lowest accuracy. */
        public double min() {
            return accuracies.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        /** Highest accuracy. */
        public double max() {
            return accuracies.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private final ScaleBase base;
    private final TrainConfig template;
    private final Settings settings;
    private final Path dir;
    private final Map<String, CandidateResult> results = new LinkedHashMap<>();

    /**
     * Opens (or creates) the search in {@code dir}.
     *
     * @param base     the base network and r0 (its spec must be {@code template.modelSpec()} or equivalent)
     * @param template training config of every candidate (its arch is the base preset; width, depth and schedule are replaced)
     * @throws IllegalArgumentException when {@code dir} holds a search with other settings
     */
    public ScaleSearch(ScaleBase base, TrainConfig template, Settings settings, Path dir) throws IOException {
        this.base = Objects.requireNonNull(base, "base");
        this.template = Objects.requireNonNull(template, "template");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dir = Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
        Map<String, Object> current = settingsJson();
        Path file = dir.resolve(SETTINGS_FILE);
        if (Files.isRegularFile(file)) {
            Object saved = Json.read(file);
            List<String> diff = new ArrayList<>();
            if (saved instanceof Map<?, ?> m) {
                for (String k : current.keySet()) {
                    if (!Objects.equals(normalize(m.get(k)), normalize(current.get(k)))) diff.add(k);
                }
            } else {
                diff.add("(unreadable " + SETTINGS_FILE + ")");
            }
            if (!diff.isEmpty()) {
                throw new IllegalArgumentException(dir + " holds a search with other settings (" + String.join(", ", diff)
                        + "); resume it with the same options or use another --out");
            }
        }
        AtomicFiles.writeString(file, Json.writePretty(current) + "\n");
        readResults();
    }

    private static Object normalize(Object o) {
        return o == null ? null : Json.parse(Json.write(o));
    }

    private Map<String, Object> settingsJson() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("budget", settings.budget());
        s.put("grid_step", settings.step());
        s.put("tolerance", settings.tolerance());
        s.put("w", settings.w());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("search", s);
        m.put("base", PresetFile.toJson(base.spec()));
        m.put("base_resolution", base.resolution());
        m.put("training", template.toJson());
        return m;
    }

    // ------------------------------------------------------------------ candidates

    /** The grid points. */
    public List<ScalePoint> grid() {
        return ScaleGrid.grid(settings.budget(), settings.step(), settings.tolerance());
    }

    /** Target MACs T = budget &times; the base's MACs. */
    public double targetMacs() {
        return settings.budget() * base.macs();
    }

    /** The grid's candidates (seed of the template). */
    public List<Candidate> gridCandidates() {
        List<Candidate> out = new ArrayList<>();
        for (ScalePoint p : grid()) out.add(candidate(p.id(), "grid", p, template.seed()));
        return out;
    }

    private Candidate candidate(String id, String kind, ScalePoint p, long seed) {
        int res = base.resolution(p, 1);
        ModelSpec s = base.scaled(p, 1, "candidate");
        double dropout = template.schedule().stages().get(0).dropout();
        TrainConfig cfg = template.toBuilder().widthMult(s.widthMult()).depthMult(s.depthMult())
                .schedule(ProgressiveSchedule.none(res, dropout, 0, 0)).seed(seed).build();
        return new Candidate(id, kind, p, res, cfg);
    }

    /** The finished results so far, in finishing order. */
    public synchronized List<CandidateResult> results() {
        return List.copyOf(results.values());
    }

    /**
     * Runs what is not done yet: the grid, then (with ablation seeds) the equal-MACs comparison.
     * Each result is saved as soon as its candidate finishes.
     */
    public void run(CandidateRunner runner) throws Exception {
        List<Candidate> todo = pending(gridCandidates());
        LOG.info("{} grid candidates, {} to train", grid().size(), todo.size());
        runner.run(todo, this::record);
        if (settings.ablationSeeds() > 0) runner.run(pending(ablationCandidates()), this::record);
        writeReports();
    }

    /** The candidates of {@code all} without a result. */
    public synchronized List<Candidate> pending(List<Candidate> all) {
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : all) if (!results.containsKey(c.id())) out.add(c);
        return out;
    }

    /** Saves one result (appended to results.jsonl, forced to disk) and refreshes the CSV and the plot. */
    public synchronized void record(CandidateResult r) {
        results.put(r.id(), r);
        byte[] line = (Json.write(r.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(dir.resolve(RESULTS_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(line));
            ch.force(true);
            SearchReports.writeCsv(dir.resolve("candidates.csv"), results(), targetMacs(), settings.w(), base.macs());
            SearchReports.writePlot(dir.resolve("accuracy_vs_macs.png"), results(), winner(), targetMacs(), settings.w());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot save the result of " + r.id() + " in " + dir, e);
        }
        LOG.info("candidate {}: accuracy {}, {} MACs", r.id(), r.accuracy(), r.macs());
    }

    @SuppressWarnings("unchecked")
    private void readResults() throws IOException {
        Path f = dir.resolve(RESULTS_FILE);
        if (!Files.isRegularFile(f)) return;
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty()) continue;
            try {
                CandidateResult r = CandidateResult.fromJson((Map<String, Object>) Json.parse(l));
                results.put(r.id(), r);
            } catch (RuntimeException e) {
                if (i == lines.size() - 1) {
                    LOG.warn("ignoring a partial last line of {} (interrupted while writing)", f);
                } else {
                    throw new IllegalArgumentException(f + " line " + (i + 1) + " is not a result: " + e.getMessage(), e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ outcome

    /** The grid result with the best paper score, or null before any finished. */
    public synchronized CandidateResult winner() {
        return best(Comparator.comparingDouble(r -> r.score(targetMacs(), settings.w())));
    }

    /** The grid result with the best plain accuracy, or null. */
    public synchronized CandidateResult winnerByAccuracy() {
        return best(Comparator.comparingDouble(CandidateResult::accuracy));
    }

    private CandidateResult best(Comparator<CandidateResult> by) {
        CandidateResult best = null;
        for (CandidateResult r : results.values()) {
            if (!r.kind().equals("grid")) continue;
            if (best == null || by.compare(r, best) > 0) best = r;
        }
        return best;
    }

    /** The family of {@code p}: &phi; = 1&hellip;{@value #MAX_PHI}, named {@code <familyName>_phi<φ>}. */
    public List<FamilyMember> family(ScalePoint p) {
        List<FamilyMember> out = new ArrayList<>();
        for (int phi = 1; phi <= MAX_PHI; phi++) {
            ModelSpec s = base.scaled(p, phi, settings.familyName() + "_phi" + phi);
            int res = s.trainResolution();
            out.add(new FamilyMember(phi, s, res, s.params(), s.macs(res)));
        }
        return out;
    }

    /**
     * The equal-MACs comparison's candidates for the current winner: per seed, the winner
     * ({@code compound}; the grid run itself for the template's seed), the base, and width-only,
     * depth-only and resolution-only scaling of the base to the winner's MACs.
     *
     * @throws IllegalStateException before any grid candidate finished
     */
    public List<Candidate> ablationCandidates() {
        CandidateResult w = winner();
        if (w == null) throw new IllegalStateException("no finished grid candidate yet");
        ScalePoint wp = new ScalePoint(w.alpha(), w.beta(), w.gamma());
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < settings.ablationSeeds(); i++) {
            long seed = template.seed() + i;
            if (seed != template.seed()) out.add(candidate("compound_" + wp.id() + "_s" + seed, "compound", wp, seed));
            out.add(candidate("base_s" + seed, "base", new ScalePoint(1, 1, 1), seed));
            for (String kind : List.of("width", "depth", "resolution")) {
                ScalePoint p = matchMacs(kind, w.macs());
                out.add(candidate(kind + "_" + p.id() + "_s" + seed, kind, p, seed));
            }
        }
        return out;
    }

    /**
     * The single-dimension scaling of the base whose actual MACs (after channel, repeat and size
     * rounding) are closest to {@code targetMacs}: width &beta; in steps of 0.001, depth &alpha; in
     * steps of 0.005, or every integer resolution.
     */
    public ScalePoint matchMacs(String kind, long targetMacs) {
        ScalePoint best = null;
        long bestDiff = Long.MAX_VALUE;
        int r0 = base.resolution();
        switch (kind) {
            case "width", "depth" -> {
                boolean width = kind.equals("width");
                double stepSize = width ? 0.001 : 0.005;
                for (int k = 0; k <= (width ? 3000 : 2000); k++) {
                    double v = Math.round((1 + k * stepSize) * 1e9) / 1e9;
                    ScalePoint p = width ? new ScalePoint(1, v, 1) : new ScalePoint(v, 1, 1);
                    long macs = base.scaled(p, 1, "m").macs(r0);
                    long d = Math.abs(macs - targetMacs);
                    if (d < bestDiff) {
                        bestDiff = d;
                        best = p;
                    }
                    if (macs > 2 * targetMacs) break;
                }
            }
            case "resolution" -> {
                for (int r = r0; r <= 4 * r0; r++) {
                    long d = Math.abs(base.spec().macs(r) - targetMacs);
                    if (d < bestDiff) {
                        bestDiff = d;
                        best = new ScalePoint(1, 1, (double) r / r0);
                    }
                }
            }
            default -> throw new IllegalArgumentException("kind must be width, depth or resolution, got " + kind);
        }
        return best;
    }

    /** The comparison's rows (kinds in a fixed order; empty before any comparison run finished). */
    public synchronized List<AblationRow> ablation() {
        CandidateResult w = winner();
        List<AblationRow> rows = new ArrayList<>();
        if (w == null) return rows;
        String compoundPrefix = "compound_" + new ScalePoint(w.alpha(), w.beta(), w.gamma()).id() + "_s";
        boolean any = false;
        for (String kind : List.of("compound", "base", "width", "depth", "resolution")) {
            List<Double> acc = new ArrayList<>();
            CandidateResult last = null;
            for (CandidateResult r : results.values()) {
                boolean match = kind.equals("compound")
                        ? r.id().equals(w.id()) || r.kind().equals("compound") && r.id().startsWith(compoundPrefix)
                        : r.kind().equals(kind);
                if (match) {
                    acc.add(r.accuracy());
                    last = r;
                }
            }
            if (last == null) continue;
            any |= !kind.equals("compound");
            rows.add(new AblationRow(kind, new ScalePoint(last.alpha(), last.beta(), last.gamma()), last.resolution(),
                    last.params(), last.macs(), List.copyOf(acc)));
        }
        return any ? rows : List.of();
    }

    /** Writes candidates.csv, the plot, presets.json (the winner's family) and summary.json. */
    public synchronized void writeReports() throws IOException {
        List<CandidateResult> all = results();
        SearchReports.writeCsv(dir.resolve("candidates.csv"), all, targetMacs(), settings.w(), base.macs());
        CandidateResult w = winner();
        SearchReports.writePlot(dir.resolve("accuracy_vs_macs.png"), all, w, targetMacs(), settings.w());
        if (w == null) return;
        ScalePoint wp = new ScalePoint(w.alpha(), w.beta(), w.gamma());
        List<FamilyMember> fam = family(wp);
        List<ModelSpec> specs = new ArrayList<>();
        Map<String, Map<String, Object>> extra = new LinkedHashMap<>();
        for (FamilyMember f : fam) {
            specs.add(f.spec());
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("phi", f.phi());
            x.put("alpha", wp.alpha());
            x.put("beta", wp.beta());
            x.put("gamma", wp.gamma());
            x.put("params", f.params());
            x.put("macs", f.macs());
            extra.put(f.spec().name(), x);
        }
        PresetFile.write(dir.resolve("presets.json"), specs, extra);
        AtomicFiles.writeString(dir.resolve("summary.json"), Json.writePretty(summaryJson()) + "\n");
    }

    /** The outcome as JSON: winner, its bases, winner by accuracy, the candidate table, the family, the comparison. */
    public synchronized Map<String, Object> summaryJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        CandidateResult w = winner();
        CandidateResult wa = winnerByAccuracy();
        m.put("base", base.spec().name());
        m.put("base_resolution", base.resolution());
        m.put("base_macs", base.macs());
        m.put("base_params", base.spec().params());
        m.put("budget", settings.budget());
        m.put("target_macs", Math.round(targetMacs()));
        m.put("w", settings.w());
        m.put("grid_size", grid().size());
        m.put("done", (int) results.values().stream().filter(r -> r.kind().equals("grid")).count());
        m.put("winner", w == null ? null : row(w));
        if (w != null) {
            m.put("alpha", w.alpha());
            m.put("beta", w.beta());
            m.put("gamma", w.gamma());
        }
        m.put("winner_by_accuracy", wa == null ? null : row(wa));
        List<Object> cands = new ArrayList<>();
        for (CandidateResult r : results.values()) if (r.kind().equals("grid")) cands.add(row(r));
        m.put("candidates", cands);
        if (w != null) {
            List<Object> fam = new ArrayList<>();
            for (FamilyMember f : family(new ScalePoint(w.alpha(), w.beta(), w.gamma()))) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("phi", f.phi());
                fm.put("name", f.spec().name());
                fm.put("width_mult", f.spec().widthMult());
                fm.put("depth_mult", f.spec().depthMult());
                fm.put("resolution", f.resolution());
                fm.put("params", f.params());
                fm.put("macs", f.macs());
                fam.add(fm);
            }
            m.put("family", fam);
            m.put("presets_file", dir.resolve("presets.json").toString());
        }
        List<Object> abl = new ArrayList<>();
        for (AblationRow a : ablation()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("kind", a.kind());
            am.put("alpha", a.point().alpha());
            am.put("beta", a.point().beta());
            am.put("gamma", a.point().gamma());
            am.put("resolution", a.resolution());
            am.put("params", a.params());
            am.put("macs", a.macs());
            am.put("accuracies", new ArrayList<Object>(a.accuracies()));
            am.put("mean_accuracy", a.mean());
            abl.add(am);
        }
        if (!abl.isEmpty()) m.put("equal_macs_comparison", abl);
        return m;
    }

    private Map<String, Object> row(CandidateResult r) {
        Map<String, Object> m = r.toJson();
        m.put("flops_factor", Math.round(new ScalePoint(r.alpha(), r.beta(), r.gamma()).flopsFactor() * 1e4) / 1e4);
        m.put("macs_ratio", Math.round(r.macs() / (double) base.macs() * 1e4) / 1e4);
        m.put("score", r.score(targetMacs(), settings.w()));
        return m;
    }

    /** The run folder. */
    public Path dir() {
        return dir;
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    /** The base. */
    public ScaleBase base() {
        return base;
    }

    /** A one-line description of a result for the console. */
    public String describe(CandidateResult r) {
        return String.format(Locale.ROOT, "%-28s acc %6.2f%%  score %.4f  %8.2f M MACs (x%.2f)  %7.3f M params  "
                        + "train %.2f ms/img  infer %.2f ms", r.id(), 100 * r.accuracy(), r.score(targetMacs(), settings.w()),
                r.macs() / 1e6, r.macs() / (double) base.macs(), r.params() / 1e6, r.trainMsPerImage(), r.inferenceMs());
    }
}
