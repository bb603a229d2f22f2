package io.decree.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the detector-workers' logs say about duplicates: a model whose scan was started by more than one worker, or twice. */
final class WorkerLogs {
    /** The worker's "scan ID of SHA (NAME) started" line (ScanRequests); a republished result does not match. */
    private static final Pattern STARTED = Pattern.compile("scan \\w+ of ([0-9a-f]{64}) \\(.*\\) started");

    private WorkerLogs() {
    }

    /** How many models' scans were started more than once across these logs (a missing log counts as empty). */
    static long scannedMoreThanOnce(List<Path> logs) throws IOException {
        Map<String, Integer> started = new HashMap<>();
        for (Path log : logs) {
            Matcher m = STARTED.matcher(Files.exists(log) ? Files.readString(log) : "");
            while (m.find()) {
                started.merge(m.group(1), 1, Integer::sum);
            }
        }
        return started.values().stream().filter(c -> c > 1).count();
    }
}
