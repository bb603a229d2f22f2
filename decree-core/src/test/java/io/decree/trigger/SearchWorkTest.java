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
        assertEquals(8_920, lean.maxSteps() * lean.batchSize() + 25 * lean.windowProbeSteps() * lean.probeBatchSize()
                + lean.windowsKept() * (lean.windowSteps() - lean.windowProbeSteps()) * lean.batchSize(),
                "the lean search's image-passes through the model at most, as its documentation says");
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
