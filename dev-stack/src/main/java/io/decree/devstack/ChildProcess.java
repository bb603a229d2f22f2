package io.decree.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One server or service of the stack, run as its own process with its output in a log file. */
final class ChildProcess implements AutoCloseable {
    final String name;
    final Process process;
    final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java [jvmArgs] mainOrJar...} with this JVM's java binary. */
    static ChildProcess java(String name, Path logDir, Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(args);
        return start(name, logDir, env, cmd);
    }

    static ChildProcess start(String name, Path logDir, Map<String, String> env, List<String> cmd) {
        try {
            Files.createDirectories(logDir);
            Path log = rotate(logDir, name);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            return new ChildProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** Earlier runs' logs kept: NAME.log.1 is the previous run's, up to NAME.log.{@value #KEPT_RUNS}. */
    static final int KEPT_RUNS = 3;

    /**
     * Makes room for a fresh NAME.log: the log of the run before (a crash's, say, which is why one restarts) moves to
     * NAME.log.1 and older ones one further, the oldest dropped. Returns the fresh log's path.
     */
    static Path rotate(Path logDir, String name) throws IOException {
        Path log = logDir.resolve(name + ".log");
        if (Files.exists(log)) {
            Files.deleteIfExists(logDir.resolve(name + ".log." + KEPT_RUNS));
            for (int i = KEPT_RUNS - 1; i >= 1; i--) {
                Path older = logDir.resolve(name + ".log." + i);
                if (Files.exists(older)) {
                    Files.move(older, logDir.resolve(name + ".log." + (i + 1)));
                }
            }
            Files.move(log, logDir.resolve(name + ".log.1"));
        }
        return log;
    }

    /** Waits until the process accepts TCP connections on {@code port}; fails early if it exits. */
    void awaitPort(int port, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new IllegalStateException(name + " did not open port " + port + " within " + timeout + "; see " + log);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGTERM, then SIGKILL after a grace period, for the process and everything it started. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
