package io.decree.worker;

import io.decree.contract.ScanExit;
import io.decree.contract.ScanJob;
import io.decree.contract.ScanProgressFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

/**
 * One scan in its own JVM: a libtorch abort, a segfault or an out-of-memory kills that process only, and the worker
 * reports it. The child exits by itself when this worker dies (its standard input closes).
 */
final class ChildScan {
    /**
     * How the child ended: its exit code (-1 when killed for the time limit) and the tail of its stderr; {@code cappedAfter}
     * the crash of a first child in oneDNN's kernels when this is the child tried again capped, else null.
     */
    record Result(int exitCode, boolean timedOut, String stderrTail, String cappedAfter) {
        Result(int exitCode, boolean timedOut, String stderrTail) {
            this(exitCode, timedOut, stderrTail, null);
        }

        boolean verdict() {
            return !timedOut && (exitCode == ScanExit.CLEAN || exitCode == ScanExit.TROJANED);
        }

        /**
         * Whether the child died in libtorch's oneDNN brgemm convolution kernels, which a capped instruction set avoids
         * ({@link WorkerSettings#nativeCrashIsa}).
         */
        boolean oneDnnKernelCrash() {
            return !timedOut && exitCode > 128 && stderrTail.contains("the JVM crashed: SIG")
                    && stderrTail.contains("dnnl::impl::cpu::x64::brgemm");
        }

        /** Whether the same scan may succeed later: it failed for neither the model nor this device (the CLI's exit 5). */
        boolean retryable() {
            return !timedOut && exitCode == ScanExit.INTERNAL;
        }

        /** A reason a person can act on. */
        String reason(Duration limit) {
            if (timedOut) {
                return "scan exceeded the time limit of " + limit + " and was killed";
            }
            String tail = stderrTail.isBlank() ? "" : ": " + stderrTail.strip();
            if (exitCode == ScanExit.REJECTED) {
                return "scan rejected the model" + tail;
            }
            if (exitCode == ScanExit.OUT_OF_MEMORY) { // the device's fault, not the model's
                return "scan ran out of memory on its device" + tail;
            }
            if (exitCode == ScanExit.INTERNAL) { // an I/O error or a bug in decree: neither the model's fault nor final
                return "scan failed inside the detector, not because of the model" + tail;
            }
            if (exitCode > 128) {
                int signal = exitCode - 128;
                String name = switch (signal) {
                    // The JVM also aborts after a native fault, whose signal its banner names (the tail then says it).
                    case 6 -> stderrTail.startsWith(JVM_CRASHED) ? "SIGABRT, the JVM's abort" : "SIGABRT, a libtorch abort";
                    case 9 -> "SIGKILL, likely out of memory";
                    case 11 -> "SIGSEGV, a native crash";
                    default -> "signal " + signal;
                };
                return "scan process crashed (exit " + exitCode + ", " + name + ")" + tail;
            }
            return "scan process failed with exit " + exitCode + tail;
        }
    }

    private static final String JVM_CRASHED = "the JVM crashed: ";

    private ChildScan() {
    }

    /**
     * Whether the scan of a model whose input spec is {@code sidecar} (MODEL.json) should run on transparent huge pages:
     * its input has at least {@code fromPixels} pixels (0: not chosen per scan). No spec, or one without a readable
     * inputSize: no.
     */
    static boolean hugePages(Path sidecar, int fromPixels) {
        if (fromPixels <= 0 || !Files.isRegularFile(sidecar)) {
            return false;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode size = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sidecar.toFile())
                    .path("inputSize");
            return size.isArray() && size.size() == 2 && size.get(0).asLong() * size.get(1).asLong() >= fromPixels;
        } catch (IOException e) {
            return false; // the child refuses a bad spec itself, with a reason
        }
    }

    /**
     * {@code text} with each key of {@code paths} (a worker-local path, longest first) replaced by its value: the
     * paths of a scan's temporary folder or the worker's image sets mean nothing to the user and outlive the files.
     */
    static String redact(String text, java.util.Map<Path, String> paths) {
        String out = text;
        List<Path> longestFirst = new ArrayList<>(paths.keySet());
        longestFirst.sort(java.util.Comparator.comparingInt((Path p) -> p.toString().length()).reversed());
        for (Path p : longestFirst) {
            out = out.replace(p.toAbsolutePath().toString(), paths.get(p)).replace(p.toString(), paths.get(p));
        }
        return out;
    }

    /**
     * @param modelUri    the model's address in the store, for the SARIF result
     * @param evidenceUri the store prefix the evidence images are uploaded under, for the SARIF's evidence list
     * @param baseline    the upstream checkpoint of a differential scan (scanned first, into {@code out/baseline/}, unless a
     *                    report of it is there already), or null
     * @param onProgress  called on this thread with the child's progress ({@link ScanJob#progressFile()}) each
     *                    time it changed, checked every {@code decree.worker.progress-every}
     */
    static Result run(WorkerSettings s, Path model, String modelUri, String evidenceUri, Path images, Path out, Path baseline,
            Duration timeout, Consumer<ScanProgressFile> onProgress) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Result first = runOnce(s, model, modelUri, evidenceUri, images, out, baseline, timeout, onProgress, null);
        Duration left = timeout.minusNanos(System.nanoTime() - start);
        if (!first.oneDnnKernelCrash() || "none".equalsIgnoreCase(s.nativeCrashIsa()) || left.isNegative() || left.isZero()) {
            return first;
        }
        // A crash of libtorch's oneDNN on this CPU, not of the model: once more with its kernels capped (slower), within
        // what is left of the scan's time limit, which bounds how long the consumer holds the request.
        Result again = runOnce(s, model, modelUri, evidenceUri, images, out, baseline, left, onProgress, s.nativeCrashIsa());
        return new Result(again.exitCode(), again.timedOut(), again.stderrTail(), first.stderrTail());
    }

    /** One child, with oneDNN's instruction set capped at {@code isa} ({@code ONEDNN_MAX_CPU_ISA}) when it is not null. */
    private static Result runOnce(WorkerSettings s, Path model, String modelUri, String evidenceUri, Path images, Path out,
            Path baseline, Duration timeout, Consumer<ScanProgressFile> onProgress, String isa) throws IOException, InterruptedException {
        Path home = Path.of(s.cliHome()).toAbsolutePath();
        Path progress = out.resolve("progress.json");
        // The whole scan, settings and all, as one typed job: the detector applies no default of its own to it.
        Path job = out.resolveSibling("scan.json");
        Files.createDirectories(out);
        new ScanJob(model.toString(), images.toString(), out.toString(), baseline == null ? null : baseline.toString(), modelUri,
                evidenceUri, progress.toString(), s.device(), s.probesTogether().orElse(null), s.scanSettings()).write(job);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String opt : s.javaOpts().trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                cmd.add(opt);
            }
        }
        if (s.torchThreads() > 0) {
            cmd.add("-Dai.djl.pytorch.num_threads=" + s.torchThreads());
            cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        }
        // A native crash's report (hs_err) in the scan's folder, not the worker's working directory; its gist is in stderr.
        cmd.add("-XX:ErrorFile=" + out.resolve("hs_err_pid%p.log"));
        cmd.addAll(List.of("-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", home.resolve("decree-cli.jar") + java.io.File.pathSeparator + home.resolve("lib") + "/*",
                "io.decree.cli.Decree", "scan", "--config", job.toString(), "--exit-with-parent"));
        Path stdout = out.resolve("child.stdout");
        Path stderr = out.resolve("child.stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        if (s.torchThreads() > 0) {
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(s.torchThreads()));
            pb.environment().put("MKL_NUM_THREADS", String.valueOf(s.torchThreads()));
        }
        // Chosen per scan when configured (whatever the worker's own environment says); else inherited from it.
        if (s.hugePagesFromPixels() > 0) {
            pb.environment().remove("THP_MEM_ALLOC_ENABLE");
            if (hugePages(model.resolveSibling(model.getFileName().toString().replaceFirst("\\.pt$", "") + ".json"),
                    s.hugePagesFromPixels())) {
                pb.environment().put("THP_MEM_ALLOC_ENABLE", "1");
            }
        }
        if (isa != null) {
            pb.environment().put("ONEDNN_MAX_CPU_ISA", isa);
        }
        Process p = pb.start();
        // Keep the child's stdin open for as long as this scan is ours: closing it (or dying) stops the child.
        OutputStream keepAlive = p.getOutputStream();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            String seen = null;
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                done = p.waitFor(Math.min(deadline - System.nanoTime(), s.progressEvery().toNanos()), TimeUnit.NANOSECONDS);
                String now = done || !Files.exists(progress) ? null : readQuietly(progress);
                if (now != null && !now.equals(seen)) {
                    seen = now;
                    try {
                        onProgress.accept(ScanProgressFile.parse(now));
                    } catch (IllegalArgumentException e) {
                        // not a whole record (a detector of another version): progress is informational
                    }
                }
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                return new Result(-1, true, tail(stderr, null));
            }
            // The JVM prints a native crash's banner on stdout; stdout is read only then.
            return new Result(p.exitValue(), false, tail(stderr, p.exitValue() > 128 ? stdout : null));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        } finally {
            try {
                keepAlive.close();
            } catch (IOException ignored) {
                // the child is gone already
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null; // replaced as we read: the next check sees the new one
        }
    }

    /**
     * The last lines of the child's stderr, without stack frames, for the failure reason; after a native crash, the JVM's
     * own lines saying which signal and which native function (libtorch's oneDNN crashing on a CPU that reports no cache
     * sizes, say: docs/eval/gpu.md), the rest of its banner being boilerplate. The JVM prints that banner on stdout.
     */
    static String tail(Path stderr, Path stdout) throws IOException {
        String crash = crashGist(stdout);
        if (crash == null) {
            crash = crashGist(stderr);
        }
        if (crash != null) {
            return crash;
        }
        if (!Files.exists(stderr)) {
            return "";
        }
        List<String> lines = Files.readAllLines(stderr).stream()
                .filter(l -> !l.startsWith("\tat ") && !l.isBlank() && !l.startsWith("SLF4J") && !l.matches("^\\[[^]]+\\] (WARN|INFO|DEBUG) .*"))
                .toList();
        String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        return joined.length() > 1000 ? joined.substring(joined.length() - 1000) : joined;
    }

    /** The signal and native frame of a JVM fatal-error banner in {@code output}; null when there is none. */
    private static String crashGist(Path output) throws IOException {
        if (output == null || !Files.exists(output)) {
            return null;
        }
        List<String> all;
        try (java.util.stream.Stream<String> s = Files.lines(output, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            all = s.toList();
        }
        if (all.stream().anyMatch(l -> l.startsWith("# A fatal error has been detected by the Java Runtime Environment"))) {
            List<String> gist = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                String l = all.get(i);
                if (l.matches("^#\\s+SIG[A-Z]+ .*")) {
                    gist.add(l.replaceFirst("^#\\s+", "").replaceFirst(",? pid=\\d+, tid=\\d+", ""));
                } else if (l.startsWith("# Problematic frame:") && i + 1 < all.size()) {
                    gist.add("in " + all.get(i + 1).replaceFirst("^#\\s+", "").replaceAll("\\s+", " "));
                }
            }
            if (!gist.isEmpty()) {
                return JVM_CRASHED + String.join(" ", gist);
            }
        }
        return null;
    }
}
