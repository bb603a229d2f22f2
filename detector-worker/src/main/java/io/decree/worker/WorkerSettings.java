package io.decree.worker;

import io.decree.contract.ScanSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code decree.worker.*}: where the CLI is, the scan limits, and what this worker changes of the scan settings. */
@ConfigMapping(prefix = "decree.worker")
public interface WorkerSettings {
    String cliHome();

    String javaOpts();

    String workDir();

    /** A scan running longer is killed and reported as ScanFailed. */
    Duration scanTimeout();

    /**
     * What one request may take besides its scan: the model's download, the evidence upload, publishing the result.
     * A request in hand longer than scan-timeout plus this is stuck outside the scan ({@link ScanWatch}).
     */
    @WithDefault("10m")
    Duration transferAllowance();

    Map<String, String> shadowSets();

    /** How often a running scan's progress is checked and, when it moved, published on {@code scan-progress}. */
    @WithDefault("15s")
    Duration progressEvery();

    /**
     * The scan settings this worker changes from the detector's defaults ({@code decree.worker.scan.window-grid=0},
     * {@code DECREE_WORKER_SCAN_WINDOW_GRID=0}; the names are {@link ScanSettings}'s). Unset: the defaults.
     */
    Map<String, String> scan();

    /** The settings every scan of this worker runs with; a misspelt name or a bad value refuses the worker's start. */
    default ScanSettings scanSettings() {
        return ScanSettings.DEFAULTS.with(scan());
    }

    @WithDefault("auto")
    String device();

    /**
     * Images at most in one joint pass of a scan's window probes (0: one probe after the other). Unset: the detector's
     * choice by device, 100 on a GPU (the lean search's 25 probes in one pass: 1.4x faster on an H200, 10.4 GB of GPU
     * memory for MobileNetV2 instead of 2.2, docs/eval/gpu.md) and apart on a CPU. Lower it for a GPU with less memory
     * or a larger encoder; it changes how a scan runs, not what it finds, so it is not in the scan key.
     */
    Optional<Integer> probesTogether();

    /**
     * CPU threads libtorch may use in one scan (OMP/MKL intra-op; 0: libtorch's default, all cores). Set it to
     * cores / scans running on the host: oversubscribed OpenMP threads spin against each other and two scans on
     * two cores with the default ran ten times slower each, not two (bench-out/scaling).
     */
    @WithDefault("0")
    int torchThreads();

    /**
     * Input pixels (height x width of the model's input spec) from which a scan's child asks libtorch for transparent
     * huge pages ({@code THP_MEM_ALLOC_ENABLE=1}), and below which it does not; 0: not chosen per scan (the child
     * inherits the worker's environment). libtorch reads the variable once per process, so it is chosen per scan, here.
     * Default 128x128: measured on 2 cores (bench/huge-pages.sh, docs/detector.md), huge pages cost 3.1x at 32x32 and
     * 1.1x at 112x112 and paid 1.45x at 150x150 (the face encoder), 2.5x at 160x160 and 3.3-5.7x at 224x224; 128x128 is
     * the geometric middle of 112x112 and 150x150. A scan without a spec: off.
     */
    @WithDefault("16384")
    int hugePagesFromPixels();

    /**
     * The instruction set a scan is tried again under ({@code ONEDNN_MAX_CPU_ISA}) when its child died in libtorch's
     * oneDNN brgemm convolution kernels (SIGFPE on a CPU that reports no cache sizes: a ResNet-50's 1x1 convolutions,
     * docs/eval/gpu.md); {@code none}: not tried again. Default AVX, the widest level without those kernels here: AVX2
     * still crashed, AVX ran the ResNet-50 at 235 ms per image-pass, and cost MobileNetV2 1.6x (70 against 43 ms), so it
     * is set for such a retry only.
     */
    @WithDefault("AVX")
    String nativeCrashIsa();
}
