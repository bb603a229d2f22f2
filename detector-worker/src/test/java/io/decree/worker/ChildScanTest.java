package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed scan tells the user: its reason, without the worker's own paths. */
class ChildScanTest {

    @Test
    void failureReasonsNameTheUploadAndTheShadowSetNotWorkerPaths() {
        Path dir = Path.of("target/work/0123abcd");
        Path model = dir.resolve("model.pt");
        Path shadow = Path.of("/srv/decree/images/photos");
        String stderr = "error: " + model.toAbsolutePath() + " is not a TorchScript archive (read " + dir.resolve("out") + "); "
                + "images " + shadow + "/a.jpg";
        ChildScan.Result r = new ChildScan.Result(2, false, stderr);
        String reason = ChildScan.redact(r.reason(Duration.ofMinutes(5)),
                Map.of(model, "resnet.pt", dir, "(scan folder)", shadow, "shadow set 'photos'"));
        assertEquals("scan rejected the model: error: resnet.pt is not a TorchScript archive (read (scan folder)/out); "
                + "images shadow set 'photos'/a.jpg", reason);
        assertFalse(reason.contains(dir.toAbsolutePath().toString()));
    }

    @Test
    void aReasonWithoutPathsIsLeftAsItIs() {
        assertEquals("scan exceeded the time limit of PT5M and was killed",
                ChildScan.redact(new ChildScan.Result(-1, true, "").reason(Duration.ofMinutes(5)), Map.of(Path.of("/tmp/x"), "m.pt")));
    }

    @Test
    void aScanOutOfDeviceMemoryIsNotCalledARejectedModel() {
        String reason = new ChildScan.Result(3, false, "decree: error: m.pt failed during the scan: out of memory on gpu(0)")
                .reason(Duration.ofMinutes(5));
        assertEquals("scan ran out of memory on its device: decree: error: m.pt failed during the scan: out of memory on gpu(0)", reason);
    }

    @Test
    void hugePagesAreAskedForLargeInputsOnly(@TempDir Path dir) throws Exception {
        Path large = Files.writeString(dir.resolve("large.json"), "{\"inputSize\":[224,224],\"valueRange\":[0,1]}");
        Path small = Files.writeString(dir.resolve("small.json"), "{\"inputSize\":[32,32]}");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"inputSize\":");
        int from = 150 * 150;
        assertTrue(ChildScan.hugePages(large, from));
        assertFalse(ChildScan.hugePages(small, from));
        assertFalse(ChildScan.hugePages(large, 0), "0: not chosen per scan");
        assertFalse(ChildScan.hugePages(dir.resolve("absent.json"), from), "no spec: off");
        assertFalse(ChildScan.hugePages(broken, from), "a spec the child will refuse: off");
    }
}
