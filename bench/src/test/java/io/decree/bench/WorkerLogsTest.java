package io.decree.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerLogsTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    private static String started(String sha) {
        return "INFO  [io.dec.wor.ScanRequests] scan 1f2e of " + sha + " (model (copy).pt) started\n";
    }

    @Test
    void aModelStartedByTwoWorkersIsCountedOnce(@TempDir Path dir) throws Exception {
        Path w0 = Files.writeString(dir.resolve("w0.log"), started(A) + started(B));
        Path w1 = Files.writeString(dir.resolve("w1.log"), started(A));
        assertEquals(1, WorkerLogs.scannedMoreThanOnce(List.of(w0, w1, dir.resolve("missing.log"))));
    }

    @Test
    void aResultAnotherWorkerRepublishesFromTheEvidenceIsNotASecondScan(@TempDir Path dir) throws Exception {
        Path w0 = Files.writeString(dir.resolve("w0.log"), started(A) + "INFO  scan 1f2e of " + A + ": clean, PL1 0.0612\n");
        // A redelivered request whose evidence is already stored: the second worker names the model but does not scan it.
        Path w1 = Files.writeString(dir.resolve("w1.log"), "INFO  scan 1f2e of " + A + ": evidence exists, republishing its result\n"
                + "INFO  scan 1f2e of " + A + ": clean, PL1 0.0612\n");
        assertEquals(0, WorkerLogs.scannedMoreThanOnce(List.of(w0, w1)));
    }

    @Test
    void aModelStartedTwiceByOneWorkerCounts(@TempDir Path dir) throws Exception {
        Path w0 = Files.writeString(dir.resolve("w0.log"), started(A) + started(B) + started(A));
        assertEquals(1, WorkerLogs.scannedMoreThanOnce(List.of(w0)));
    }
}
