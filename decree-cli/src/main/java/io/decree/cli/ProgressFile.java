package io.decree.cli;

import io.decree.trigger.StepRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Where a running scan is, for the process that started it ({@code decree scan --progress-file}; the worker turns it
 * into ScanProgress events): one JSON object, {@code {"phase", "step", "maxSteps", "bestPl1", "elapsedSeconds"}},
 * replaced atomically at most every {@link #EVERY_NANOS} so that a reader never sees half of one. Best effort: a
 * write that fails is skipped, the scan goes on.
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
        // Before a trigger collapsed the batch the search reports 1.0 (the whole image): no best yet.
        String best = bestPl1 >= 1.0 ? "null" : String.format(Locale.ROOT, "%.6f", bestPl1);
        String json = String.format(Locale.ROOT, "{\"phase\":\"%s\",\"step\":%d,\"maxSteps\":%d,\"bestPl1\":%s,\"elapsedSeconds\":%.1f}",
                phase, step, maxSteps, best, (t - t0) / 1e9);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, json);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // progress is informational
        }
    }
}
