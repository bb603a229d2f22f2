package io.decree.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.events.CloudEvent;
import io.decree.events.Events;
import io.decree.events.ScanProgress;
import org.junit.jupiter.api.Test;

class ResultFollowerTest {
    @Test
    void aRunningScanIsOneLineSayingWhereItIs() {
        String sha = "ab".repeat(32);
        assertEquals("SCANNING m.pt abababababab: step 120 of 400 (scan), best PL1 0.0312, 42 s", ResultFollower.line(
                Events.toJson(CloudEvent.of("/t", new ScanProgress("s", sha, "m.pt", "scan", 120, 400, 0.0312, 42.0, "1.0")))));
        assertEquals("SCANNING m.pt abababababab: step 1117 (scan, window starts), best PL1 0.0414, 98 s", ResultFollower.line(
                Events.toJson(CloudEvent.of("/t", new ScanProgress("s", sha, "m.pt", "scan", 1117, 400, 0.0414, 98.3, "1.0")))));
        assertEquals("SCANNING m.pt abababababab: starting, 0 s", ResultFollower.line(
                Events.toJson(CloudEvent.of("/t", new ScanProgress("s", sha, "m.pt", "starting", 0, 0, null, 0.0, "1.0")))));
        assertTrue(ResultFollower.line("{nope").startsWith("dev-stack: unreadable result"));
    }
}
