package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.contract.ScanExit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
    void eachWayAScanFailsHasItsOwnReasonMetricAndRetry() {
        Duration limit = Duration.ofMinutes(5);
        ChildScan.Result rejected = new ChildScan.Result(ScanExit.REJECTED, false, "decree: error: m.pt is not a TorchScript archive");
        ChildScan.Result memory = new ChildScan.Result(ScanExit.OUT_OF_MEMORY, false, "decree: error: out of memory on gpu(0)");
        ChildScan.Result internal = new ChildScan.Result(ScanExit.INTERNAL, false, "decree: internal error: java.lang.NullPointerException");
        ChildScan.Result killed = new ChildScan.Result(137, false, "");
        ChildScan.Result timedOut = new ChildScan.Result(-1, true, "");
        assertEquals("scan failed inside the detector, not because of the model: decree: internal error: "
                + "java.lang.NullPointerException", internal.reason(limit));
        assertEquals(List.of(ScanMetrics.Failure.REJECTED_MODEL, ScanMetrics.Failure.DEVICE_MEMORY, ScanMetrics.Failure.INTERNAL,
                ScanMetrics.Failure.CRASHED, ScanMetrics.Failure.TIME_LIMIT),
                Stream.of(rejected, memory, internal, killed, timedOut).map(ScanMetrics.Failure::of).toList());
        assertEquals(List.of(false, false, true, false, false),
                Stream.of(rejected, memory, internal, killed, timedOut).map(ChildScan.Result::retryable).toList(),
                "only a failure inside the detector may go otherwise when tried again");
        assertFalse(internal.verdict());
    }

    /** The JVM's banner when libtorch 2.7.1's oneDNN crashed on a ResNet-50 here (stop 45), as the child printed it. */
    @Test
    void aNativeCrashIsToldBySignalAndFunctionNotByTheBannersLastLines(@TempDir Path dir) throws Exception {
        // As the JVM printed it: the banner on stdout, only libtorch's warnings on stderr (PipelineIT, stop 45).
        Path stderr = Files.writeString(dir.resolve("child.stderr"),
                "[W1204 15:40:32.061205099 NNPACK.cpp:57] Could not initialize NNPACK! Reason: Unsupported hardware.\n");
        Path stdout = Files.writeString(dir.resolve("child.stdout"), """
                #
                # A fatal error has been detected by the Java Runtime Environment:
                #
                #  SIGFPE (0x8) at pc=0x00007fde90030a92, pid=25579, tid=25594
                #
                # JRE version: OpenJDK Runtime Environment (17.0.15+6) (build 17.0.15+6-Debian-1deb12u1)
                # Problematic frame:
                # C  [libtorch_cpu.so+0x11630a92]  dnnl::impl::cpu::x64::brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1()+0xae2
                #
                # An error report file with more information is saved as:
                # /tmp/scan/out/hs_err_pid25579.log
                #
                # The crash happened outside the Java Virtual Machine in native code.
                # See problematic frame for where to report the bug.
                #
                """);
        String reason = new ChildScan.Result(134, false, ChildScan.tail(stderr, stdout)).reason(Duration.ofMinutes(5));
        assertEquals("scan process crashed (exit 134, SIGABRT, the JVM's abort): the JVM crashed: SIGFPE (0x8) at "
                + "pc=0x00007fde90030a92 in C [libtorch_cpu.so+0x11630a92] dnnl::impl::cpu::x64::brgemm_convolution_bwd_utils::"
                + "brg_blocking_t::est_eff_1x1()+0xae2", reason);
        assertTrue(new ChildScan.Result(134, false, ChildScan.tail(stderr, stdout)).oneDnnKernelCrash(), "tried again with oneDNN capped");
        assertEquals(reason.substring(reason.indexOf("the JVM crashed")), ChildScan.tail(stdout, null), "found on stderr too");
        assertFalse(new ChildScan.Result(137, false, "").oneDnnKernelCrash(), "a SIGKILL is not");
        assertFalse(new ChildScan.Result(ScanExit.REJECTED, false, "decree: error: dnnl::impl::cpu::x64::brgemm in a message")
                .oneDnnKernelCrash(), "nor an error the child reported itself");
        Path plain = Files.writeString(dir.resolve("plain.stderr"), "decree: error: a\n\tat x.y(Z.java:1)\nb\nc\nd\n");
        assertEquals("b | c | d", ChildScan.tail(plain, dir.resolve("absent.stdout")),
                "otherwise the last three lines of stderr, stack frames left out");
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
