package dev.efficientnet.train.search;

import dev.efficientnet.core.io.Json;
import dev.efficientnet.models.spec.ModelSpec;
import dev.efficientnet.models.spec.PresetFile;
import dev.efficientnet.models.spec.Presets;
import dev.efficientnet.models.spec.Scaling;
import dev.efficientnet.models.spec.StageSpec;
import dev.efficientnet.train.DataSources;
import dev.efficientnet.train.OptimizerKind;
import dev.efficientnet.train.TrainConfig;
import dev.efficientnet.train.data.Dataset;
import dev.efficientnet.train.data.Datasets;
import dev.efficientnet.train.progressive.ProgressiveSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScaleSearchTest {

    @Test
    void gridHoldsExactlyThePointsNearTheBudget() {
        List<ScalePoint> g = ScaleGrid.grid(2.0, 0.05, 0.05);
        Set<String> ids = new HashSet<>();
        for (ScalePoint p : g) {
            assertTrue(Math.abs(p.flopsFactor() - 2.0) <= 0.1 + 1e-9, p.toString());
            assertTrue(ids.add(p.id()));
        }
        // brute force over the same lattice: nothing missed
        int expected = 0;
        for (int i = 0; i < 40; i++) for (int j = 0; j < 40; j++) for (int k = 0; k < 40; k++) {
            double a = 1 + i / 20.0, b = 1 + j / 20.0, c = 1 + k / 20.0;
            if (Math.abs(a * b * b * c * c - 2) <= 0.1 + 1e-9) expected++;
        }
        assertEquals(expected, g.size());
        assertTrue(ids.contains("a1.20_b1.10_g1.15"), "the paper's point (1.92) is on the grid");
        assertTrue(ids.contains("a2.00_b1.00_g1.00"));
        assertFalse(ids.contains("a1.00_b1.00_g1.00"));
        assertThrows(IllegalArgumentException.class, () -> ScaleGrid.grid(1.0, 0.05, 0.05));
        assertThrows(IllegalArgumentException.class, () -> ScaleGrid.grid(2.0, 0, 0.05));
    }

    @Test
    void scalingUsesRoundFiltersAndRoundRepeats() {
        ModelSpec b0 = Presets.get("efficientnet_b0").withWidthDepth(0.5, 0.5).withNumClasses(10);
        ScaleBase base = new ScaleBase(b0, 32);
        ScalePoint p = new ScalePoint(1.2, 1.1, 1.15);
        ModelSpec s = base.scaled(p, 2, "x_phi2");
        assertEquals(0.5 * 1.1 * 1.1, s.widthMult(), 1e-12);
        assertEquals(0.5 * 1.2 * 1.2, s.depthMult(), 1e-12);
        assertEquals(Math.round(32 * 1.15 * 1.15), s.trainResolution());
        assertEquals(s.trainResolution(), base.resolution(p, 2));
        List<StageSpec> stages = s.stages();
        List<StageSpec> table = b0.architecture().stages();
        for (int i = 0; i < stages.size(); i++) {
            assertEquals(Scaling.roundFilters(table.get(i).outChannels(), s.widthMult(), 0.9), stages.get(i).outChannels());
            assertEquals(Scaling.roundRepeats(table.get(i).repeats(), s.depthMult()), stages.get(i).repeats());
        }
    }

    private static TrainConfig template() {
        return TrainConfig.builder("efficientnet_b0").widthMult(0.25).depthMult(0.25).inChannels(1).numClasses(10)
                .epochs(1).batchSize(16).schedule(ProgressiveSchedule.none(16, 0.1, 0, 0)).optimizer(OptimizerKind.SGD)
                .lr(0.05).emaDecay(0).workers(1).seed(3).build();
    }

    private static ScaleSearch search(Path dir, double step, int seeds) throws Exception {
        TrainConfig t = template();
        return new ScaleSearch(new ScaleBase(t.modelSpec(), 16), t,
                new ScaleSearch.Settings(2.0, step, 0.05, ScaleSearch.PAPER_W, seeds, "found"), dir);
    }

    /** Records every candidate with a fake accuracy that prefers depth; counts the calls. */
    private static final class FakeRunner implements CandidateRunner {
        final List<String> trained = new ArrayList<>();
        int failAfter = Integer.MAX_VALUE;

        @Override
        public void run(List<Candidate> todo, Consumer<CandidateResult> done) {
            for (Candidate c : todo) {
                if (trained.size() == failAfter) throw new IllegalStateException("interrupted");
                trained.add(c.id());
                ModelSpec s = c.config().modelSpec();
                double acc = 0.5 + 0.1 * c.point().alpha() + 0.01 * c.config().seed();
                done.accept(new CandidateResult(c.id(), c.kind(), c.point().alpha(), c.point().beta(), c.point().gamma(),
                        c.config().seed(), s.widthMult(), s.depthMult(), c.resolution(), s.params(), s.macs(c.resolution()),
                        acc, 1, 100, 1.0, 2.0));
            }
        }

        @Override
        public String describe() {
            return "fake";
        }
    }

    @Test
    void searchResumesSkippingDoneCandidatesAndWritesTheFamily(@TempDir Path dir) throws Exception {
        ScaleSearch s = search(dir, 0.1, 0);
        int n = s.grid().size();
        assertTrue(n > 5, "grid of " + n);
        FakeRunner first = new FakeRunner();
        first.failAfter = 3;
        assertThrows(IllegalStateException.class, () -> s.run(first));
        assertEquals(3, Files.readAllLines(dir.resolve(ScaleSearch.RESULTS_FILE)).size());
        // a crash while writing leaves a partial line: ignored
        Files.writeString(dir.resolve(ScaleSearch.RESULTS_FILE), "{\"id\":\"a1", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        ScaleSearch again = search(dir, 0.1, 0);
        assertEquals(3, again.results().size());
        FakeRunner second = new FakeRunner();
        again.run(second);
        assertEquals(n - 3, second.trained.size());
        for (String id : first.trained) assertFalse(second.trained.contains(id));

        CandidateResult w = again.winner();
        assertNotNull(w);
        double t = again.targetMacs();
        for (CandidateResult r : again.results()) {
            assertTrue(r.score(t, ScaleSearch.PAPER_W) <= w.score(t, ScaleSearch.PAPER_W));
            assertTrue(r.alpha() <= again.winnerByAccuracy().alpha() + 1e-9);
        }
        List<ScaleSearch.FamilyMember> fam = again.family(new ScalePoint(w.alpha(), w.beta(), w.gamma()));
        assertEquals(7, fam.size());
        for (int i = 1; i < fam.size(); i++) assertTrue(fam.get(i).macs() > fam.get(i - 1).macs());
        List<ModelSpec> presets = PresetFile.read(dir.resolve("presets.json"));
        assertEquals(7, presets.size());
        assertEquals("found_phi3", presets.get(2).name());
        assertEquals(fam.get(2).spec(), presets.get(2));
        assertTrue(Files.size(dir.resolve("accuracy_vs_macs.png")) > 1000);
        List<String> csv = Files.readAllLines(dir.resolve("candidates.csv"));
        assertEquals(SearchReports.CSV_HEADER, csv.get(0));
        assertEquals(n + 1, csv.size());
        Map<String, Object> summary = Json.parseObject(Files.readString(dir.resolve("summary.json")));
        assertEquals(w.alpha(), ((Number) summary.get("alpha")).doubleValue());
        assertEquals(n, ((List<?>) summary.get("candidates")).size());
    }

    @Test
    void anotherSearchInTheSameFolderIsRefused(@TempDir Path dir) throws Exception {
        search(dir, 0.1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> search(dir, 0.05, 0));
        assertTrue(e.getMessage().contains("search"), e.getMessage());
        search(dir, 0.1, 2); // more comparison seeds later is the same search
    }

    @Test
    void equalMacsComparisonMatchesTheWinnersCost(@TempDir Path dir) throws Exception {
        ScaleSearch s = search(dir, 0.1, 2);
        FakeRunner r = new FakeRunner();
        s.run(r);
        CandidateResult w = s.winner();
        for (String kind : List.of("width", "depth", "resolution")) {
            ScalePoint p = s.matchMacs(kind, w.macs());
            long macs = s.base().scaled(p, 1, "m").macs(s.base().resolution(p, 1));
            assertTrue(Math.abs(macs / (double) w.macs() - 1) < 0.25, kind + ": " + macs + " vs " + w.macs());
        }
        List<ScaleSearch.AblationRow> rows = s.ablation();
        assertEquals(List.of("compound", "base", "width", "depth", "resolution"), rows.stream().map(ScaleSearch.AblationRow::kind).toList());
        for (ScaleSearch.AblationRow row : rows) assertEquals(2, row.accuracies().size(), row.kind());
        // the comparison reuses the grid run for the first seed: one extra compound run only
        assertEquals(1, r.trained.stream().filter(id -> id.startsWith("compound_")).count());
        FakeRunner none = new FakeRunner();
        search(dir, 0.1, 2).run(none);
        assertTrue(none.trained.isEmpty());
    }

    @Test
    void localRunnerTrainsAndTimesACandidate(@TempDir Path dir) throws Exception {
        DataSources.Split split = DataSources.embeddedFashionMnist();
        Dataset train = Datasets.head(split.train(), 32);
        Dataset test = Datasets.head(split.test(), 16);
        ScaleSearch s = search(dir, 0.1, 0);
        Candidate c = s.gridCandidates().get(0);
        CandidateResult r = new LocalRunner(train, test, dir.resolve("candidates"), null, 3).train(c);
        assertEquals(c.id(), r.id());
        assertEquals(32, r.trainImages());
        assertTrue(r.trainSeconds() > 0 && r.inferenceMs() > 0);
        assertTrue(r.accuracy() >= 0 && r.accuracy() <= 1);
        assertEquals(c.config().modelSpec().macs(c.resolution()), r.macs());
        assertTrue(Files.isRegularFile(dir.resolve("candidates").resolve(c.id()).resolve("metrics.csv")));
    }
}
