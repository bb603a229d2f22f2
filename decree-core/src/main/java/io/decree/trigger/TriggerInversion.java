package io.decree.trigger;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.decree.DeviceMemoryException;
import io.decree.encoder.Encoder;
import io.decree.images.ShadowImages;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * DECREE's trigger inversion (Feng et al., CVPR 2023, Sec. 4): find the smallest mask m and a
 * pattern p such that stamping x' = (1-m)x + m*p makes the encoder map a batch of clean images to
 * nearly one point.
 *
 * <pre>
 *   loss = -meanCos(f(x')) + lambda * |m|_1
 * </pre>
 *
 * minimised with Adam, lambda adapted around the similarity target, stopping once the smallest
 * successful mask has stopped shrinking. The answer is the smallest successful trigger of several
 * {@link Attempt}s: the paper's single start from a uniform random mask, run to its end, then a grid
 * of window starts ({@link MaskStart}), each probed for a few steps, of which the most promising
 * are carried on. Every trigger an attempt keeps met the similarity target, so more starts can only
 * find a smaller trigger, never invent one.
 */
public final class TriggerInversion {

    /** The phase (no steps) a search records when it ended early because its verdict could no longer change. */
    public static final String STOPPED_AT_VERDICT = "stopped at the verdict";

    private final InversionConfig cfg;

    public TriggerInversion(InversionConfig cfg) {
        this.cfg = cfg;
    }

    public InversionConfig config() {
        return cfg;
    }

    public InversionResult run(Encoder encoder, ShadowImages images, Consumer<StepRecord> progress) {
        return run(encoder, null, images, progress);
    }

    /**
     * The search, contrasted with {@code base} when it is not null (a differential scan against the upstream checkpoint):
     * a trigger counts only if the base's stamped images stay apart, their centred mean pairwise cosine below
     * {@link InversionConfig#baseCollapseLimit()}, on the batch and, for acceptance, on the whole shadow set. A shortcut
     * the model inherited from its base collapses both and is ruled out; a backdoor planted by fine-tuning collapses the
     * model alone. The base takes the model's input, as an upstream checkpoint does. A holdout ({@code --holdout}, off by
     * default) confirms the model's collapse only; acceptance on the whole shadow set checks both.
     */
    public InversionResult run(Encoder encoder, Encoder base, ShadowImages images, Consumer<StepRecord> progress) {
        int h = images.height();
        int w = images.width();
        int n = images.size();
        if (n < 2) {
            throw new IllegalArgumentException("trigger inversion needs at least 2 images");
        }
        Random init = new Random(cfg.seed());
        try (NDManager run = encoder.manager().newSubManager()) {
            int held = heldOutCount(cfg.holdout(), n);
            float[][] split = split(images.flat(), n, held, 3 * h * w, cfg.seed());
            n -= held;
            NDArray all = run.create(split[0], new Shape(n, 3, h, w));
            Squash squash = new Squash(run);
            List<SearchPhase> phases = new ArrayList<>();
            NDArray center = null;
            if (cfg.centerEmbeddings()) {
                long t0 = System.nanoTime();
                center = meanEmbedding(encoder, all, run, cfg.batchSize());
                phases.add(new SearchPhase("centre", 0, 0, n, (System.nanoTime() - t0) / 1e9));
            }
            CollapseCheck baseSet = null;
            TriggerLoss.Contrast contrast = null;
            if (base != null) {
                long t0 = System.nanoTime();
                NDArray baseCenter = meanEmbedding(base, all, run, cfg.batchSize());
                baseSet = new CollapseCheck(base, all, baseCenter, cfg.batchSize());
                contrast = new TriggerLoss.Contrast(base, baseCenter, cfg.baseCollapseLimit());
                phases.add(new SearchPhase("base centre", 0, 0, n, (System.nanoTime() - t0) / 1e9));
            }
            TriggerLoss loss = new TriggerLoss(encoder, run, center, contrast);
            CollapseCheck holdout = held == 0 ? null
                    : new CollapseCheck(encoder, run.create(split[1], new Shape(held, 3, h, w)), center, cfg.batchSize());
            CollapseCheck shadowSet = new CollapseCheck(encoder, all, center, cfg.batchSize());
            Search search = new Search(cfg, all, loss, holdout, h, w, progress, phases, baseSet, shadowSet);
            List<MaskStart> starts = MaskStart.plan(h, w, cfg.windowGrid());
            int batch = Math.min(cfg.batchSize(), n);
            int probeBatch = Math.min(cfg.probeBatchSize(), n);
            int together = cfg.probesTogetherOn(encoder.device().isGpu()).probesTogetherImages();

            List<Attempt> attempts = new ArrayList<>();
            try {
                search.begin("uniform start");
                Attempt paper = new Attempt(cfg, run, squash, h, w, starts.get(0), init,
                        new BatchOrder(n, batch, new Random(cfg.seed() * 31 + 7)));
                attempts.add(paper);
                search.advance(paper, cfg.maxSteps());
                search.keepBest(paper);
                boolean decided = search.verdictReached(attempts);

                List<Attempt> windows = new ArrayList<>();
                if (starts.size() > 1 && !decided) {
                    search.begin("window probes");
                }
                // Ranked on a common batch, the probes may run in rounds, the best third going on after each but the last.
                boolean common = probeBatch < batch;
                int optimised = n;
                IntFunction<Attempt> newProbe = i -> {
                    Attempt a = new Attempt(cfg, run, squash, h, w, starts.get(i), init,
                            new BatchOrder(optimised, probeBatch, new Random(cfg.seed() * 31 + 7 + i)));
                    attempts.add(a);
                    return a;
                };
                int rounds = common ? Math.min(cfg.probeRounds(), cfg.windowProbeSteps()) : 1;
                for (int round = 1; round <= rounds && !decided && starts.size() > 1; round++) {
                    int upTo = cfg.windowProbeSteps() * round / rounds;
                    if (together == 0) {
                        // Apart, the first round makes each probe as its turn comes: none after a probe's trigger decides.
                        int count = round == 1 ? starts.size() - 1 : windows.size();
                        for (int k = 0; k < count; k++) {
                            Attempt a = round == 1 ? newProbe.apply(k + 1) : windows.get(k);
                            if (round == 1) {
                                windows.add(a);
                            }
                            search.advance(a, upTo);
                            search.keepBest(a);
                            // Only a probe's own tested trigger stops here: a full acceptance after each of 25 probes would
                            // cost more forward passes than it saves (verdictReached runs it after the longer starts).
                            if (search.decidedMidway) {
                                break;
                            }
                        }
                    } else {
                        // Every probe made as apart (from the same initial values and batch orders), stepped in lockstep.
                        for (int i = 1; round == 1 && i < starts.size(); i++) {
                            windows.add(newProbe.apply(i));
                        }
                        int perPass = Math.max(1, together / probeBatch);
                        try {
                            search.advanceTogether(windows, upTo, perPass);
                        } catch (EngineException e) {
                            if (!DeviceMemoryException.isOutOfMemory(e)) {
                                throw e;
                            }
                            // A joint pass did not fit in the device's memory: the probes' remaining steps apart, a pass
                            // of one probe each, as a CPU runs them (GPU memory 2.2 GB instead of 10.4 on MobileNetV2).
                            search.begin(probesApartAfter(Math.min(perPass, windows.size()) * probeBatch));
                            together = 0;
                            for (Attempt a : windows) {
                                search.advance(a, upTo);
                            }
                        }
                        windows.forEach(search::keepBest);
                    }
                    decided = search.decidedMidway;
                    if (common && !decided) {
                        windows = search.rankOnCommonBatch(windows, all.get("0:" + batch), encoder, center, base,
                                contrast == null ? null : contrast.center(), batch);
                        if (round < rounds) {
                            int third = InversionConfig.PROBE_ROUND_KEEP_ONE_IN;
                            int keep = Math.max(cfg.windowsKept(), (windows.size() + third - 1) / third);
                            windows = new ArrayList<>(windows.subList(0, Math.min(keep, windows.size())));
                        }
                    }
                }
                if (!common) {
                    windows.sort(Comparator.comparingDouble(Attempt::bestL1)
                            .thenComparing(Comparator.comparingDouble(Attempt::lastSimilarity).reversed()));
                }
                if (!windows.isEmpty() && cfg.windowsKept() > 0 && !decided) {
                    search.begin("carried windows");
                }
                for (Attempt a : windows.subList(0, Math.min(cfg.windowsKept(), windows.size()))) {
                    if (decided) {
                        break;
                    }
                    if (probeBatch < batch) {
                        a.rebatch(new BatchOrder(n, batch, new Random(cfg.seed() * 37 + 11 + attempts.indexOf(a))));
                    }
                    search.advance(a, cfg.windowSteps());
                    search.keepBest(a);
                    decided = search.verdictReached(attempts);
                }
                if (decided) {
                    search.begin(STOPPED_AT_VERDICT);
                }
                search.begin("acceptance");
                search.accept(attempts, cfg.similarityTarget(), cfg.acceptOnShadowSet());
                search.summarise(attempts);
            } finally {
                attempts.forEach(Attempt::close);
            }
            return search.result();
        }
    }

    /**
     * The index of the smallest of a start's candidates (each smaller than the one before) that holds on the whole shadow
     * set, looking from {@code lo} on; -1 if none does. Larger triggers are the likelier to hold, so it bisects,
     * testing few; but the bisection assumes that larger ones hold and smaller ones fail, which a start's candidates need
     * not obey, so one already known to hold ({@code known}: tested while the search ran, no new test) is the floor: a
     * search stopped at the verdict ends with the trigger that settled it, or a smaller one.
     */
    static int smallestHolding(List<Attempt.Candidate> cs, int lo, java.util.function.Predicate<Attempt.Candidate> known,
            java.util.function.Predicate<Attempt.Candidate> holds) {
        int found = -1;
        for (int i = cs.size() - 1; i >= lo && found < 0; i--) {
            if (known.test(cs.get(i))) {
                found = i;
            }
        }
        if (found == cs.size() - 1 || holds.test(cs.get(cs.size() - 1))) {
            return cs.size() - 1;
        }
        int l = Math.max(lo, found + 1);
        int r = cs.size() - 2;
        while (l <= r) {
            int mid = (l + r) >>> 1;
            if (holds.test(cs.get(mid))) {
                found = mid;
                l = mid + 1;
            } else {
                r = mid - 1;
            }
        }
        return found;
    }

    /**
     * The phase that steps the window probes apart after a joint pass of {@code images} ran out of device memory; the
     * report's phases so say that the scan fell back, and where its probes' work went.
     */
    static String probesApartAfter(int images) {
        return io.decree.contract.ScanOutcome.PROBES_APART_PHASE + " (out of memory at " + images + " images a pass)";
    }

    /** Steps of a start between its first whole-shadow-set test of a trigger below the stop and the next (then doubling). */
    static final int FIRST_TEST_GAP = 8;

    /** The attempts' steps as one history, and the smallest successful trigger over all of them. */
    private static final class Search {
        private final InversionConfig cfg;
        private final NDArray all;
        private final TriggerLoss loss;
        private final CollapseCheck holdout;
        private final int h;
        private final int w;
        private final Consumer<StepRecord> progress;
        private final List<StepRecord> history = new ArrayList<>();
        private int steps;
        private double lastSimilarity = Double.NaN;
        private double bestL1 = Double.POSITIVE_INFINITY;
        private float[] bestMask;
        private float[] bestPattern;
        private double bestSimilarity;
        private double bestHeldOutSimilarity = Double.NaN;
        private boolean bestEarlyStopped;
        private double batchPl1 = 1.0;
        private double shadowSimilarity = Double.NaN;
        private double acceptedPl1 = 1.0;
        private int candidatesChecked;
        private final List<SearchStart> startResults = new ArrayList<>();
        private final Map<Attempt, SearchStart.Ranking> rankings = new IdentityHashMap<>();
        private final List<SearchPhase> phases;
        private final CollapseCheck baseSet;
        private final CollapseCheck shadowSet;
        private double baseSimilarity = Double.NaN;
        /** Set when a start's own trigger made the verdict final in the middle of its steps ({@link #finalNow}). */
        private boolean decidedMidway;
        /** The attempt whose newest candidate {@link #finalNow} tests, the step of its next test and the gap after it. */
        private Attempt watched;
        private int nextTest;
        private int gap;
        private String phase;
        private long phaseStart;
        private int phaseSteps;
        private long phasePasses;
        private long phaseForwardOnly;

        Search(InversionConfig cfg, NDArray all, TriggerLoss loss, CollapseCheck holdout, int h, int w,
                Consumer<StepRecord> progress, List<SearchPhase> phases, CollapseCheck baseSet, CollapseCheck shadowSet) {
            this.baseSet = baseSet;
            this.shadowSet = shadowSet;
            this.cfg = cfg;
            this.all = all;
            this.loss = loss;
            this.holdout = holdout;
            this.h = h;
            this.w = w;
            this.progress = progress;
            this.phases = phases;
        }

        /** Closes the phase under way (if any) and counts the following steps under {@code name}. */
        void begin(String name) {
            end();
            phase = name;
            phaseStart = System.nanoTime();
            phaseSteps = 0;
            phasePasses = 0;
            phaseForwardOnly = 0;
        }

        private void end() {
            if (phase != null) {
                phases.add(new SearchPhase(phase, phaseSteps, phasePasses, phaseForwardOnly, (System.nanoTime() - phaseStart) / 1e9));
                phase = null;
            }
        }

        /**
         * Runs {@code a} until it has made {@code upTo} steps in all, stopped early, or (with a stop) found a trigger that
         * makes the verdict final: then the whole search ends ({@link #verdictReached}).
         */
        void advance(Attempt a, int upTo) {
            while (a.steps() < upTo && !a.earlyStopped() && !decidedMidway) {
                record(a, a.step(all, loss, holdout));
            }
        }

        /**
         * {@link #advance} for several attempts in lockstep, a step of up to {@code perPass} of them in one forward and
         * backward pass ({@link Attempt#stepTogether}; more go in further passes, which bounds the pass's memory), until
         * each has made {@code upTo} steps or stopped early, or one's trigger makes the verdict final (checked after each
         * attempt's step, in the group's order).
         */
        void advanceTogether(List<Attempt> group, int upTo, int perPass) {
            while (!decidedMidway) {
                List<Attempt> active = group.stream().filter(a -> a.steps() < upTo && !a.earlyStopped()).toList();
                if (active.isEmpty()) {
                    return;
                }
                for (int from = 0; from < active.size() && !decidedMidway; from += perPass) {
                    List<Attempt> pass = active.subList(from, Math.min(active.size(), from + perPass));
                    List<Attempt.Step> done = Attempt.stepTogether(pass, all, loss, holdout);
                    for (int i = 0; i < pass.size(); i++) {
                        record(pass.get(i), done.get(i));
                    }
                }
            }
        }

        /** One step of {@code a} into the history, the phase's work and the progress; then whether it decides. */
        private void record(Attempt a, Attempt.Step s) {
            steps++;
            phaseSteps++;
            phasePasses += s.imagePasses();
            phaseForwardOnly += s.forwardOnlyPasses();
            lastSimilarity = s.similarity();
            double best = Math.min(bestL1, a.bestL1());
            StepRecord rec = new StepRecord(steps, s.similarity(), s.l1() / (3.0 * h * w), s.lambda(),
                    Double.isInfinite(best) ? 1.0 : best / (3.0 * h * w));
            history.add(rec);
            if (progress != null) {
                progress.accept(rec);
            }
            if (!decidedMidway) {
                decidedMidway = finalNow(a);
            }
        }

        /**
         * Whether a trigger {@code a} has found already decides: below {@code cfg.stopBelow()} and, when the accepted figure
         * decides, holding on the whole shadow set (forward only). Any later trigger could only lower the figure, so the
         * verdict is the whole search's. A start may shrink its trigger for hundreds of steps, each a new candidate, so
         * whole-set tests are spaced: at once when a candidate below the stop appears, then after 8, 16, 32... more steps;
         * each tests the largest candidate below the stop found since the last test (larger triggers are the likelier to
         * hold). A few tests per start, where the phase-end checks alone let a trojan's 200-step window run on long after
         * its trigger was found (docs/detector.md, `--stop-at-verdict`). A whole search tests the same triggers and goes on.
         */
        private boolean finalNow(Attempt a) {
            if (cfg.stopBelow() <= 0 || !a.succeeded()) {
                return false;
            }
            List<Attempt.Candidate> cs = a.candidates();
            if (Pl1Norm.of(cs.get(cs.size() - 1).mask, h, w) >= cfg.stopBelow()) {
                return false;
            }
            if (!cfg.acceptOnShadowSet()) {
                return !cfg.wholeSearch();
            }
            if (a != watched) {
                watched = a;
                nextTest = a.steps();
                gap = FIRST_TEST_GAP;
            }
            if (a.steps() < nextTest) {
                return false;
            }
            nextTest = a.steps() + gap;
            gap *= 2;
            // Candidates shrink in the order found: the first untested one below the stop is the largest new one.
            for (Attempt.Candidate c : cs) {
                if (Double.isNaN(c.shadowSimilarity) && Pl1Norm.of(c.mask, h, w) < cfg.stopBelow()) {
                    return holds(c, cfg.similarityTarget()) && !cfg.wholeSearch();
                }
            }
            return false;
        }

        /**
         * The window probes ranked on one common batch of shadow images (forward only), each by its trigger as it
         * stands and by its smallest batch success (a probe may have shrunk its trigger past what holds now), by the
         * similarity gained per unit of mask ({@link ProbeRanking}). Probes of a few images each are ranked so because
         * their own last batches are too small to compare them by.
         */
        List<Attempt> rankOnCommonBatch(List<Attempt> windows, NDArray common, Encoder encoder, NDArray center,
                Encoder base, NDArray baseCenter, int batch) {
            CollapseCheck model = new CollapseCheck(encoder, common, center, batch);
            CollapseCheck apart = base == null ? null : new CollapseCheck(base, common, baseCenter, batch);
            record Tested(boolean success, double pl1, double score) {
            }
            java.util.function.BiFunction<float[], float[], Tested> test = (mask, pattern) -> {
                double cos = model.similarity(mask, pattern, h, w);
                double baseCos = apart == null ? Double.NaN : apart.similarity(mask, pattern, h, w);
                phaseForwardOnly += model.size() + (apart == null ? 0 : apart.size());
                double excess = apart == null ? 0 : Math.max(0, baseCos - cfg.baseCollapseLimit());
                return new Tested(loss.success(cos, baseCos, cfg.similarityTarget()), Pl1Norm.of(mask, h, w), cos - excess);
            };
            // The common batch's similarity with no trigger: what a window's trigger gains over.
            double untriggered = test.apply(new float[h * w], new float[3 * h * w]).score();
            record Ranked(Attempt attempt, ProbeRanking.Probe probe) {
            }
            List<Ranked> ranked = new ArrayList<>();
            for (Attempt a : windows) {
                float[][] t = a.current();
                Tested now = test.apply(t[0], t[1]);
                Tested smallest = a.succeeded() ? test.apply(a.bestMask(), a.bestPattern()) : null;
                boolean useSmallest = smallest != null && smallest.success() && (!now.success() || smallest.pl1() < now.pl1());
                double gain = ProbeRanking.gain(now.score(), untriggered, now.pl1(), h * w);
                if (smallest != null) {
                    gain = Math.max(gain, ProbeRanking.gain(smallest.score(), untriggered, smallest.pl1(), h * w));
                }
                ranked.add(new Ranked(a, new ProbeRanking.Probe(now.success() || useSmallest,
                        useSmallest ? smallest.pl1() : now.pl1(), now.score(), gain)));
            }
            ranked.sort(Comparator.comparing(Ranked::probe, ProbeRanking.BY_GAIN));
            for (int i = 0; i < ranked.size(); i++) {
                ProbeRanking.Probe p = ranked.get(i).probe();
                SearchStart.Ranking before = rankings.get(ranked.get(i).attempt());
                List<Integer> byRound = null;
                if (cfg.probeRounds() > 1) {
                    byRound = new ArrayList<>(before == null ? List.of() : before.byRound());
                    byRound.add(i + 1);
                }
                rankings.put(ranked.get(i).attempt(), new SearchStart.Ranking(i + 1, p.collapses(), p.pl1(), p.similarity(),
                        p.gain(), untriggered, byRound == null ? null : List.copyOf(byRound)));
            }
            return new ArrayList<>(ranked.stream().map(Ranked::attempt).toList());
        }

        void keepBest(Attempt a) {
            if (a.succeeded() && a.bestL1() < bestL1) {
                bestL1 = a.bestL1();
                bestMask = a.bestMask();
                bestPattern = a.bestPattern();
                bestSimilarity = a.bestSimilarity();
                bestHeldOutSimilarity = a.bestHeldOutSimilarity();
                bestEarlyStopped = a.earlyStopped();
                batchPl1 = Pl1Norm.of(bestMask, h, w);
            }
        }

        /**
         * Whether the figure that decides is already below {@code cfg.stopBelow()} (0: never): later starts can only lower
         * it, so the verdict cannot change. The accepted figure is measured on the candidates so far; their checks are
         * kept, so the final acceptance does not repeat them.
         */
        boolean verdictReached(List<Attempt> attempts) {
            if (decidedMidway) {
                return true;
            }
            if (cfg.stopBelow() <= 0 || cfg.wholeSearch() || Double.isInfinite(bestL1)) {
                return false;
            }
            if (!cfg.acceptOnShadowSet()) {
                return batchPl1 < cfg.stopBelow();
            }
            accept(attempts, cfg.similarityTarget(), false);
            return acceptedPl1 < cfg.stopBelow();
        }

        /**
         * Acceptance: the smallest candidate of any attempt that also collapses the whole shadow set to the target,
         * forward only. An attempt's candidates shrink in the order found and the larger ones are the likelier to
         * hold, so each attempt is searched by bisection (the smallest first, then halving); attempts are taken
         * smallest first and skipped once they cannot beat the accepted trigger. Always measured; with
         * {@code decide} it becomes the answer (nothing accepted: as if the search had found no trigger).
         */
        void accept(List<Attempt> attempts, double target, boolean decide) {
            Attempt.Candidate accepted = null;
            Attempt from = null;
            List<Attempt> order = attempts.stream().filter(Attempt::succeeded).sorted(Comparator.comparingDouble(Attempt::bestL1)).toList();
            for (Attempt a : order) {
                if (accepted != null && a.bestL1() >= accepted.l1) {
                    break;
                }
                List<Attempt.Candidate> cs = a.candidates();
                int lo = 0;
                while (accepted != null && cs.get(lo).l1 >= accepted.l1) {
                    lo++;
                }
                int found = smallestHolding(cs, lo, c -> c.held, c -> holds(c, target));
                if (found >= 0) {
                    accepted = cs.get(found);
                    from = a;
                }
            }
            if (accepted == null) {
                if (decide) {
                    bestMask = null;
                    bestPattern = null;
                }
                return;
            }
            acceptedPl1 = Pl1Norm.of(accepted.mask, h, w);
            shadowSimilarity = accepted.shadowSimilarity;
            baseSimilarity = accepted.baseShadowSimilarity;
            if (!decide) {
                return;
            }
            bestL1 = accepted.l1;
            bestMask = accepted.mask;
            bestPattern = accepted.pattern;
            bestSimilarity = accepted.similarity;
            bestHeldOutSimilarity = accepted.heldOutSimilarity;
            bestEarlyStopped = from.earlyStopped();
        }

        private boolean holds(Attempt.Candidate c, double target) {
            if (Double.isNaN(c.shadowSimilarity)) {
                c.shadowSimilarity = shadowSet.similarity(c.mask, c.pattern, h, w);
                candidatesChecked++;
                phaseForwardOnly += shadowSet.size();
            }
            if (c.shadowSimilarity > target && baseSet != null && Double.isNaN(c.baseShadowSimilarity)) {
                c.baseShadowSimilarity = baseSet.similarity(c.mask, c.pattern, h, w);
                phaseForwardOnly += baseSet.size();
            }
            // The same test as a step's, on the whole shadow set.
            boolean held = loss.success(c.shadowSimilarity, c.baseShadowSimilarity, target);
            c.held |= held;
            return held;
        }

        /** Each start's own smallest batch success: what the anomaly index among the starts is computed from. */
        void summarise(List<Attempt> attempts) {
            for (Attempt a : attempts) {
                startResults.add(new SearchStart(a.start().toString(), a.steps(),
                        a.succeeded() ? a.bestL1() / (3.0 * h * w) : 1.0, rankings.get(a)));
            }
        }

        InversionResult result() {
            end();
            Acceptance acceptance = baseSet == null ? new Acceptance(batchPl1, acceptedPl1, shadowSimilarity, candidatesChecked)
                    : new Acceptance(batchPl1, acceptedPl1, shadowSimilarity, candidatesChecked, baseSimilarity, cfg.baseCollapseLimit());
            if (bestMask == null) {
                return new InversionResult(null, null, h, w, false, 1.0, lastSimilarity, Double.NaN, heldOut(), steps,
                        false, history, List.copyOf(phases), acceptance, List.copyOf(startResults));
            }
            return new InversionResult(bestMask, bestPattern, h, w, true, Pl1Norm.of(bestMask, h, w), bestSimilarity,
                    bestHeldOutSimilarity, heldOut(), steps, bestEarlyStopped, history, List.copyOf(phases), acceptance,
                    List.copyOf(startResults));
        }

        private int heldOut() {
            return holdout == null ? 0 : holdout.size();
        }
    }

    /** Held-out images for a shadow set of {@code n}: at most {@code wanted}, a fifth of the set, and 0 below a pair. */
    static int heldOutCount(int wanted, int n) {
        int k = Math.min(wanted, n / 5);
        return k < 2 ? 0 : k;
    }

    /**
     * The images cut into [search, held-out] by a seeded shuffle (held-out empty: the images as
     * given, so that a scan without a holdout is the same scan as before it existed).
     */
    static float[][] split(float[] flat, int n, int held, int plane, long seed) {
        if (held == 0) {
            return new float[][] {flat, new float[0]};
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Random rnd = new Random(seed * 17 + 3);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] out = new float[held * plane];
        float[] in = new float[(n - held) * plane];
        for (int k = 0; k < n; k++) {
            if (k < held) {
                System.arraycopy(flat, perm[k] * plane, out, k * plane, plane);
            } else {
                System.arraycopy(flat, perm[k] * plane, in, (k - held) * plane, plane);
            }
        }
        return new float[][] {in, out};
    }

    /** The clean images' mean embedding [1,D], in batches, without a tape; owned by {@code run}. */
    static NDArray meanEmbedding(Encoder encoder, NDArray images, NDManager run, int batch) {
        long n = images.getShape().get(0);
        float[] sum = null;
        for (long start = 0; start < n; start += batch) {
            try (NDScope scope = new NDScope()) {
                float[] part = encoder.embed(images.get(start + ":" + Math.min(n, start + batch))).sum(new int[] {0}).toFloatArray();
                if (sum == null) {
                    sum = new float[part.length];
                }
                for (int i = 0; i < part.length; i++) {
                    sum[i] += part[i];
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= n;
        }
        return run.create(sum, new Shape(1, sum.length));
    }

    /**
     * Shuffled passes over the shadow set, cut into batches of one fixed size: a batch that runs past
     * the end of a pass is completed from the next pass. Equal shapes let libtorch reuse its buffers
     * (alternating 32/18-image batches on 50 photos grew the RSS by ~800 MB before it levelled off).
     */
    static final class BatchOrder {
        private final int n;
        private final int batch;
        private final Random rnd;
        private int[] perm;
        private int pos;
        private boolean wrapped;

        BatchOrder(int n, int batch, Random rnd) {
            this.n = n;
            this.batch = batch;
            this.rnd = rnd;
            reshuffle();
        }

        private void reshuffle() {
            perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            pos = 0;
        }

        int[] next() {
            wrapped = false;
            int[] out = new int[batch];
            boolean[] taken = new boolean[n];
            for (int k = 0; k < batch; k++) {
                if (pos >= n) {
                    reshuffle();
                    wrapped = true;
                }
                // After a wrap, an image of this batch may come up again: swap in a later one instead.
                for (int j = pos + 1; taken[perm[pos]] && j < n; j++) {
                    int t = perm[pos];
                    perm[pos] = perm[j];
                    perm[j] = t;
                }
                out[k] = perm[pos++];
                taken[out[k]] = true;
            }
            if (pos >= n) {
                reshuffle();
                wrapped = true;
            }
            return out;
        }

        /** Whether the last batch completed a pass over the shadow set. */
        boolean epochEnded() {
            return wrapped;
        }
    }
}
