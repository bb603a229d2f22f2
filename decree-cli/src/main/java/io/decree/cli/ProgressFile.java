package io.decree.cli;

import io.decree.contract.ScanProgressFile;
import io.decree.trigger.StepRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where a running scan is, for the process that started it ({@code decree scan --progress-file}; the worker turns it
 * into ScanProgress events): the contract's {@link ScanProgressFile}, replaced atomically at most every
 * {@link #EVERY_NANOS}. Best effort: a write that fails is skipped, the scan goes on.
 */
final class ProgressFile {
    static final long EVERY_NANOS = 2_000_000_000L;
    private final Path file;
    private final long t0 = System.nanoTime();
    private long lastWrite = Long.MIN_VALUE;

    ProgressFile(Path file) {
        this.file = file;
        write("starting", 0, 0, 1.0, true);
    }

    /** The consumer of one phase's steps ({@code baseline} or {@code scan}). */
    Consumer<StepRecord> phase(String phase, int maxSteps) {
        write(phase, 0, maxSteps, 1.0, true);
        return r -> write(phase, r.step(), maxSteps, r.bestPl1(), false);
    }

    private void write(String phase, int step, int maxSteps, double bestPl1, boolean now) {
        long t = System.nanoTime();
        if (!now && t - lastWrite < EVERY_NANOS) {
            return;
        }
        lastWrite = t;
        try {
            // Before a trigger collapsed the batch the search reports 1.0 (the whole image): no best yet.
            new ScanProgressFile(phase, step, maxSteps, bestPl1 >= 1.0 ? null : bestPl1, Math.round((t - t0) / 1e8) / 10.0).write(file);
        } catch (IOException e) {
            // progress is informational
        }
    }
}
