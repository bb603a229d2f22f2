package io.decree.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a running scan is, as the detector keeps it in {@link ScanJob#progressFile()} and the worker publishes it.
 *
 * @param phase    starting, baseline (a differential scan's base) or scan
 * @param step     the phase's latest step
 * @param maxSteps the steps of its uniform start (later starts go past it)
 * @param bestPl1  the smallest PL1 that collapsed a batch so far, null before one did
 */
public record ScanProgressFile(String phase, int step, int maxSteps, Double bestPl1, double elapsedSeconds) {

    public static ScanProgressFile starting() {
        return new ScanProgressFile("starting", 0, 0, null, 0);
    }

    /** Replaces the file atomically, so that a reader never sees half of one. */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, ContractJson.JSON.writeValueAsString(this));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @throws IllegalArgumentException when the text is not a progress record */
    public static ScanProgressFile parse(String json) {
        return ContractJson.parse(json, ScanProgressFile.class);
    }
}
