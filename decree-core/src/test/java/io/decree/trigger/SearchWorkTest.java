package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The search counts its work per phase: images through the encoder, with and without the backward pass. */
class SearchWorkTest {
    private static final int SIDE = 32;
    private static final InputSpec SPEC = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);

    @TempDir
    Path tmp;

    private InversionResult search(InversionConfig cfg) throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            return new TriggerInversion(cfg).run(encoder, photos, null);
        }
    }

    @Test
    void everyStepIsCountedOnceInItsPhaseAndTheCountIsDeterministic() throws IOException {
        InversionConfig cfg = InversionConfig.defaults().toBuilder().steps(60).batchSize(8).windowGrid(2).centerEmbeddings(true)
                .acceptOnShadowSet(false).build();
        InversionResult r = search(cfg);
        assertEquals(List.of("centre", "uniform start", "window probes", "carried windows", "acceptance"),
                r.phases().stream().map(SearchPhase::name).toList());
        assertEquals(50, r.phases().get(0).forwardOnlyPasses(), "the clean mean embeds the 50 photos once");
        assertEquals(0, r.phases().get(0).imagePasses());
        for (SearchPhase p : r.phases().subList(1, 4)) {
            assertEquals(8L * p.steps(), p.imagePasses(), p.name() + ": a batch of 8 per step");
            assertEquals(0, p.forwardOnlyPasses(), p.name() + ": no holdout, no forward-only checks");
            assertTrue(p.seconds() >= 0, p.name());
        }
        assertTrue(r.phases().get(1).steps() <= 60, "the uniform start stops at the step cap");
        assertTrue(r.phases().get(2).steps() <= 4 * cfg.windowProbeSteps(), "2x2 windows, each probed");
        assertEquals(r.steps(), r.phases().stream().mapToInt(SearchPhase::steps).sum(), "every step in one phase");
        assertEquals(8L * r.steps(), r.imagePasses());
        SearchPhase acceptance = r.phases().get(4);
        assertEquals(0, acceptance.imagePasses(), "acceptance replays candidates forward only");
        assertEquals(0, acceptance.forwardOnlyPasses() % 50, "each check embeds the 50 photos: " + acceptance);
        assertEquals(50 + acceptance.forwardOnlyPasses(), r.forwardOnlyPasses());

        InversionResult again = search(cfg);
        assertEquals(r.imagePasses(), again.imagePasses(), "same seed, model and images: the same work");
        assertEquals(r.pl1(), again.pl1());
    }

    @Test
    void probesOfASmallerBatchCostThatBatchAreRankedOnOneCommonBatchAndTheCarriedWindowGoesOnAtTheFullBatch()
            throws IOException {
        InversionConfig cfg = InversionConfig.defaults().toBuilder().steps(20).batchSize(8).windowGrid(2).probeBatch(2)
                .windowProbeSteps(6).windowsKept(1).windowSteps(20).acceptOnShadowSet(false).build();
        InversionResult r = search(cfg);
        assertEquals(List.of("uniform start", "window probes", "carried windows", "acceptance"),
                r.phases().stream().map(SearchPhase::name).toList());
        SearchPhase probes = r.phases().get(1);
        assertEquals(4 * 6, probes.steps(), "2x2 windows, 6 steps each");
        assertEquals(2L * probes.steps(), probes.imagePasses(), "2 images per probe step");
        assertTrue(probes.forwardOnlyPasses() >= (1 + 4) * 8 && probes.forwardOnlyPasses() <= (1 + 2 * 4) * 8
                && probes.forwardOnlyPasses() % 8 == 0, "the untriggered common batch of 8, then each window's trigger (and "
                + "its smallest success, if any) on it, forward only: " + probes.forwardOnlyPasses());
        List<SearchStart> windows = r.starts().subList(1, r.starts().size());
        assertEquals(List.of(1, 2, 3, 4), windows.stream().map(s -> s.ranking().rank()).sorted().toList(),
                "every probe ranked once: " + windows);
        assertTrue(r.starts().get(0).ranking() == null, "the uniform start is not ranked");
        SearchStart first = windows.stream().filter(s -> s.ranking().rank() == 1).findFirst().orElseThrow();
        assertEquals(windows.stream().mapToDouble(s -> s.ranking().gain()).max().orElseThrow(), first.ranking().gain(),
                "without a base the carried window is the one that gained most per unit of mask");
        assertTrue(first.steps() > 6, "and it is the one carried on: " + first);
        SearchPhase carried = r.phases().get(2);
        assertEquals(8L * carried.steps(), carried.imagePasses(), "the carried window at the search's batch");
        assertTrue(carried.steps() <= 20 - 6, "carried up to 20 steps, its probe's included");

        assertEquals(2, cfg.probeBatchSize());
        assertEquals(8, cfg.toBuilder().probeBatch(0).build().probeBatchSize(), "0: the search's batch");
        assertEquals(8, cfg.toBuilder().probeBatch(64).build().probeBatchSize(), "never more than the search's batch");
        assertThrows(IllegalArgumentException.class, () -> cfg.toBuilder().probeBatch(1).build(), "a pair at least");
        InversionConfig lean = InversionConfig.lean();
        assertEquals(InversionConfig.LEAN_PROBE_BATCH, lean.probeBatchSize());
        int perRound = lean.windowProbeSteps() / lean.probeRounds();
        assertEquals(7_400, lean.maxSteps() * lean.batchSize() + (25 + 9 + 3) * perRound * lean.probeBatchSize()
                + lean.windowsKept() * (lean.windowSteps() - lean.windowProbeSteps()) * lean.batchSize(),
                "the lean search's image-passes through the model at most, its probes in rounds of 25, 9 and 3, as its "
                + "documentation says");
    }

    /**
     * Nine probes in three rounds of 2 steps: after the first round the best three go on, after the second the best one.
     * A probe that goes on makes the steps it makes in one round of 6, so the last round's ranking is the one-round
     * ranking of the same probes, and the window carried is the one-round search's when it stayed among the best.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1000})
    void probesInRoundsGoOnByTheirRankAndThoseThatGoOnMakeTheStepsOfOneRound(int together) throws IOException {
        InversionConfig oneRound = InversionConfig.defaults().toBuilder().steps(20).batchSize(8).windowGrid(3).probeBatch(2)
                .windowProbeSteps(6).windowsKept(1).windowSteps(20).acceptOnShadowSet(false).probesTogether(together).build();
        InversionResult one = search(oneRound);
        InversionResult rounds = search(oneRound.toBuilder().probeRounds(3).build());
        List<SearchStart> windows = rounds.starts().subList(1, rounds.starts().size());
        assertEquals(9, windows.size());
        List<Integer> steps = windows.stream().map(SearchStart::steps).sorted().toList();
        assertEquals(List.of(2, 2, 2, 2, 2, 2, 4, 4), steps.subList(0, 8), "six probes stop after round 1, two after round 2: "
                + windows);
        assertTrue(steps.get(8) >= 6, "one goes on, and is carried: " + windows);
        double roundOff = together == 0 ? 1e-6 : 1e-4; // together, a pass of fewer probes sums in another order
        SearchPhase probes = rounds.phases().get(1);
        assertEquals(9 * 2 + 3 * 2 + 2, probes.steps(), "9, then 3, then 1 probe, 2 steps a round");
        assertEquals(2L * probes.steps(), probes.imagePasses(), "2 images per probe step");
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), windows.stream().map(s -> s.ranking().rank()).sorted().toList(),
                "one place each: those that went on first, then by the round they stopped in");
        for (SearchStart s : windows) {
            List<Integer> byRound = s.ranking().byRound();
            assertEquals(Math.min(s.steps(), 6) / 2, byRound.size(), "a place for each round it ran: " + s);
            assertEquals(s.ranking().rank(), byRound.get(byRound.size() - 1), "its last place is its rank: " + s);
            if (byRound.size() < 3) {
                assertTrue(s.ranking().rank() > (byRound.size() == 1 ? 3 : 1), "stopped because it ranked out: " + s);
            }
        }
        SearchStart carried = windows.stream().filter(s -> s.ranking().rank() == 1).findFirst().orElseThrow();
        SearchStart sameWindowInOne = one.starts().stream().filter(s -> s.start().equals(carried.start())).findFirst()
                .orElseThrow();
        assertTrue(carried.ranking().byRound().get(0) <= 3 && carried.ranking().byRound().get(1) == 1, carried.toString());
        assertEquals(sameWindowInOne.ranking().similarity(), carried.ranking().similarity(), roundOff,
                "after its 6 steps the carried probe's trigger is the one it has after 6 steps in one round");
        SearchStart oneFirst = one.starts().stream().filter(s -> s.ranking() != null && s.ranking().rank() == 1).findFirst()
                .orElseThrow();
        SearchStart oneFirstInRounds = windows.stream().filter(s -> s.start().equals(oneFirst.start())).findFirst().orElseThrow();
        if (oneFirstInRounds.steps() >= 6) {
            assertEquals(oneFirst.start(), carried.start(), "the one-round search's first, still there in round 3, is first");
            assertEquals(one.pl1(), rounds.pl1(), 100 * roundOff, "and the search after the probes is the same");
        } else {
            List<Integer> places = oneFirstInRounds.ranking().byRound();
            assertTrue(places.get(places.size() - 1) > (places.size() == 1 ? 3 : 1), "the one-round search's first "
                    + "stopped only because it ranked out of a round's best: " + oneFirstInRounds);
        }
        assertTrue(rounds.imagePasses() < one.imagePasses(), "fewer probe steps: " + rounds.imagePasses() + " vs "
                + one.imagePasses());
        assertThrows(IllegalArgumentException.class, () -> oneRound.toBuilder().probeRounds(-1).build());
        assertEquals(1, oneRound.toBuilder().probeRounds(0).build().probeRounds(), "a report from before rounds: one round");
    }

    /** All four probes (2 images each) in one pass, and two passes of two (a cap of 4 images a pass). */
    @ParameterizedTest
    @ValueSource(ints = {1000, 4})
    void probesSteppedTogetherMakeTheSameProbesAsOneAfterTheOther(int imagesPerPass) throws IOException {
        InversionConfig cfg = InversionConfig.defaults().toBuilder().steps(20).batchSize(8).windowGrid(2).probeBatch(2)
                .windowProbeSteps(6).windowsKept(1).windowSteps(20).acceptOnShadowSet(false).probesTogether(0).build();
        InversionResult apart = search(cfg);
        InversionResult together = search(cfg.toBuilder().probesTogether(imagesPerPass).build());
        assertEquals(apart.phases().stream().map(SearchPhase::name).toList(),
                together.phases().stream().map(SearchPhase::name).toList());
        SearchPhase probesApart = apart.phases().get(1);
        SearchPhase probesTogether = together.phases().get(1);
        assertEquals(probesApart.steps(), probesTogether.steps(), "every probe's steps, counted as before");
        assertEquals(probesApart.imagePasses(), probesTogether.imagePasses());
        assertEquals(probesApart.forwardOnlyPasses(), probesTogether.forwardOnlyPasses());
        for (int i = 1; i < apart.starts().size(); i++) {
            SearchStart.Ranking a = apart.starts().get(i).ranking();
            SearchStart.Ranking t = together.starts().get(i).ranking();
            assertEquals(a.similarity(), t.similarity(), 1e-4, "window " + i + ": the same trigger, up to round-off");
            assertEquals(a.pl1(), t.pl1(), 1e-4, "window " + i);
            assertEquals(a.rank(), t.rank(), "window " + i + " ranked the same");
        }
        assertEquals(apart.pl1(), together.pl1(), 1e-3, "the same search after the probes");
        assertEquals(apart.imagePasses(), together.imagePasses());
    }

    /**
     * A device too small for the probes' joint pass (a model failing as libtorch does when a GPU runs out of memory,
     * above 8 images): the probes go on apart, each as if the joint pass had never been tried, and the phases say so.
     */
    @Test
    void probesThatDoNotFitTogetherGoOnApartAsIfTheyHadNeverBeenTogether() throws IOException {
        InversionConfig cfg = InversionConfig.defaults().toBuilder().steps(20).batchSize(8).windowGrid(2).probeBatch(4)
                .windowProbeSteps(6).windowsKept(1).windowSteps(20).acceptOnShadowSet(false).probesTogether(0).build();
        InversionResult apart = search(cfg);
        Path small = TorchScriptFixtures.outOfMemoryAbove(tmp.resolve("small-device.pt"), 8);
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        InversionResult fell;
        try (Encoder encoder = Encoder.load(small, SPEC, null)) {
            fell = new TriggerInversion(cfg.toBuilder().probesTogether(1000).build()).run(encoder, photos, null);
        }
        assertEquals(List.of("uniform start", "window probes", TriggerInversion.probesApartAfter(16), "carried windows",
                "acceptance"), fell.phases().stream().map(SearchPhase::name).toList(), "four probes of 4: one pass of 16");
        SearchPhase tried = fell.phases().get(1);
        assertEquals(0, tried.steps(), "the joint pass failed before any probe stepped");
        assertEquals(0, tried.imagePasses());
        SearchPhase probesApart = apart.phases().get(1);
        SearchPhase probesAfter = fell.phases().get(2);
        assertEquals(probesApart.steps(), probesAfter.steps());
        assertEquals(probesApart.imagePasses(), probesAfter.imagePasses());
        for (int i = 1; i < apart.starts().size(); i++) {
            assertEquals(apart.starts().get(i).ranking().pl1(), fell.starts().get(i).ranking().pl1(), 1e-6,
                    "window " + i + ": the batches and steps of a search that never tried the joint pass");
        }
        assertEquals(apart.pl1(), fell.pl1(), 1e-6);
        assertEquals(apart.imagePasses(), fell.imagePasses());

        try (Encoder encoder = Encoder.load(TorchScriptFixtures.outOfMemoryAbove(tmp.resolve("smaller.pt"), 4), SPEC, null)) {
            ai.djl.engine.EngineException e = assertThrows(ai.djl.engine.EngineException.class,
                    () -> new TriggerInversion(cfg).run(encoder, photos, null));
            assertTrue(io.decree.DeviceMemoryException.isOutOfMemory(e), "out of memory outside a joint pass is not caught here, "
                    + "but failed as libtorch failed (the scan turns it into DeviceMemoryException): " + e.getMessage());
        }
    }

    @Test
    void probesGoTogetherByDeviceUnlessNamed() {
        InversionConfig auto = InversionConfig.lean();
        assertEquals(InversionConfig.PROBES_TOGETHER_AUTO, auto.probesTogetherImages(), "not named: by device");
        assertEquals(InversionConfig.GPU_PROBES_TOGETHER_IMAGES, auto.probesTogetherOn(true).probesTogetherImages());
        assertEquals(0, auto.probesTogetherOn(false).probesTogetherImages(), "apart on a CPU, where together was no faster");
        assertEquals(25 * InversionConfig.LEAN_PROBE_BATCH, InversionConfig.GPU_PROBES_TOGETHER_IMAGES,
                "the lean search's probes in one pass on a GPU, as measured");
        InversionConfig apart = auto.toBuilder().probesTogether(0).build();
        assertEquals(0, apart.probesTogetherOn(true).probesTogetherImages(), "named apart stays apart on a GPU");
        assertEquals(32, auto.toBuilder().probesTogether(32).build().probesTogetherOn(false).probesTogetherImages());
        assertThrows(IllegalArgumentException.class, () -> auto.toBuilder().probesTogether(-2).build());
    }

    @Test
    void withTheBatchFigureDecidingTheFirstTriggerBelowTheStopEndsTheSearchAtThatStep() throws IOException {
        InversionConfig cfg = InversionConfig.defaults().toBuilder().steps(60).batchSize(8).windowGrid(2).acceptOnShadowSet(false)
                .build();
        InversionResult whole = search(cfg);
        InversionResult stopped = search(cfg.toBuilder().stopBelow(0.99).build());
        int firstSuccess = whole.history().stream().filter(r -> r.bestPl1() < 0.99).findFirst().orElseThrow().step();
        assertEquals(firstSuccess, stopped.steps(), "no step after the first trigger below the stop");
        assertEquals(0, stopped.forwardOnlyPasses() - stopped.phases().get(stopped.phases().size() - 1).forwardOnlyPasses(),
                "the batch figure needs no whole-set test before the acceptance");
        assertTrue(stopped.pl1() < 0.99 && stopped.pl1() >= whole.pl1(), "the same verdict, its figure an upper bound: "
                + stopped.pl1() + " vs " + whole.pl1());
    }

    @Test
    void heldOutChecksAreCountedAsForwardOnlyPasses() throws IOException {
        InversionResult r = search(InversionConfig.defaults().toBuilder().steps(80).batchSize(8).windowGrid(0).holdout(32)
                .acceptOnShadowSet(false).build());
        assertEquals(List.of("uniform start", "acceptance"), r.phases().stream().map(SearchPhase::name).toList(), "the paper's single start");
        assertTrue(r.targetReached(), "the smooth encoder has a trigger");
        long heldOutChecks = r.phases().get(0).forwardOnlyPasses();
        assertTrue(heldOutChecks / r.heldOut() >= 1, "at least the kept trigger was checked on the held-out images");
        assertEquals(0, heldOutChecks % r.heldOut(), "whole held-out sets only: " + heldOutChecks);
    }

    @Test
    void aSearchWhoseVerdictCannotChangeStopsAndSaysSoWithTheSameVerdict() throws IOException {
        InversionConfig full = InversionConfig.defaults().toBuilder().steps(60).batchSize(8).windowGrid(2).acceptOnShadowSet(true)
                .build();
        InversionResult whole = search(full);
        assertTrue(whole.targetReached(), "the smooth encoder has a trigger");
        // A threshold far above anything the search finds: it ends at the first check that has an accepted trigger (after the
        // uniform start or a carried window), skipping what remains.
        InversionResult stopped = search(full.toBuilder().stopBelow(0.99).build());
        List<String> phases = stopped.phases().stream().map(SearchPhase::name).toList();
        assertEquals(TriggerInversion.STOPPED_AT_VERDICT, phases.get(phases.size() - 2), phases.toString());
        assertEquals("acceptance", phases.get(phases.size() - 1));
        assertTrue(stopped.imagePasses() < whole.imagePasses(), stopped.imagePasses() + " vs " + whole.imagePasses());
        assertTrue(stopped.pl1() < 0.99 && stopped.pl1() >= whole.pl1(), "a later start could only have lowered it: "
                + stopped.pl1() + " vs " + whole.pl1());
        assertTrue(stopped.starts().size() <= whole.starts().size());
        // Triggers below the stop are tested on the whole set while their start runs (50 photos each time), not only at
        // a phase's end: the search ended at one of those tests.
        long testedWhileSearching = stopped.phases().stream().filter(p -> p.steps() > 0).mapToLong(SearchPhase::forwardOnlyPasses).sum();
        assertTrue(testedWhileSearching >= 50 && testedWhileSearching % 50 == 0, stopped.phases().toString());
        // Wherever the stop lies, a search that stopped ends with a trigger below it: the one that settled the verdict
        // or a smaller one (the final acceptance must not lose it to its bisection).
        for (double stop : new double[] {0.5, 0.2, 0.1, 2 * whole.pl1(), 1.2 * whole.pl1()}) {
            InversionResult r = search(full.toBuilder().stopBelow(Math.min(stop, 1)).build());
            if (r.phases().stream().anyMatch(p -> p.name().equals(TriggerInversion.STOPPED_AT_VERDICT))) {
                assertTrue(r.pl1() < stop && r.acceptance().acceptedPl1() < stop, "stopped below " + stop + " at " + r.pl1());
            } else {
                assertEquals(whole.imagePasses(), r.imagePasses(), "not stopped below " + stop + ": the whole search");
            }
        }
        // Below anything the search can reach: it runs whole, as without the stop.
        InversionResult notStopped = search(full.toBuilder().stopBelow(1e-6).build());
        assertEquals(whole.imagePasses(), notStopped.imagePasses());
        assertEquals(whole.pl1(), notStopped.pl1());
    }

    @Test
    void aWholeSearchTestsTriggersAsTheyComeAndNeverAcceptsLessThanTheStoppedOne() throws IOException {
        InversionConfig full = InversionConfig.defaults().toBuilder().steps(60).batchSize(8).windowGrid(2).acceptOnShadowSet(true)
                .build();
        InversionResult whole = search(full);
        // Stops above the smallest trigger: some trigger comes below each, and is tested as it comes.
        for (double stop : new double[] {1.2 * whole.pl1(), 2 * whole.pl1()}) {
            InversionConfig at = full.toBuilder().stopBelow(Math.min(stop, 1)).build();
            InversionResult stopped = search(at);
            InversionResult wholeAt = search(at.toBuilder().wholeSearch(true).build());
            assertTrue(wholeAt.phases().stream().noneMatch(p -> p.name().equals(TriggerInversion.STOPPED_AT_VERDICT)));
            assertEquals(whole.imagePasses(), wholeAt.imagePasses(), "every start to its end; the tests are forward only");
            assertTrue(wholeAt.acceptance().acceptedPl1() <= stopped.acceptance().acceptedPl1(), "below " + stop + ": whole "
                    + wholeAt.acceptance().acceptedPl1() + ", stopped " + stopped.acceptance().acceptedPl1());
            long testedWhileSearching = wholeAt.phases().stream().filter(p -> p.steps() > 0)
                    .mapToLong(SearchPhase::forwardOnlyPasses).sum();
            assertTrue(testedWhileSearching >= 50, "triggers below the stop tested in the run: " + wholeAt.phases());
        }
    }
}
