package io.decree.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {

    @Test
    void aRestartKeepsThePreviousRunsLogsAndDropsTheOldest(@TempDir Path logs) throws Exception {
        for (int run = 1; run <= 5; run++) {
            Path log = ChildProcess.rotate(logs, "kafka");
            assertFalse(Files.exists(log), "each run starts a fresh log");
            Files.writeString(log, "run " + run);
        }
        assertEquals("run 5", Files.readString(logs.resolve("kafka.log")));
        assertEquals("run 4", Files.readString(logs.resolve("kafka.log.1")));
        assertEquals("run 3", Files.readString(logs.resolve("kafka.log.2")));
        assertEquals("run 2", Files.readString(logs.resolve("kafka.log.3")));
        assertFalse(Files.exists(logs.resolve("kafka.log.4")), "at most " + ChildProcess.KEPT_RUNS + " earlier runs");
    }
}
