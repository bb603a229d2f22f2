package io.decree.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real S3 server for a service's tests: S3Proxy on an in-memory blob store, on a free loopback port, in a process of
 * its own (in a {@code @QuarkusTest}'s JVM, Quarkus's class loaders give Guice, inside jclouds, a second copy of the inject
 * annotations and it refuses to start). The test's class path must hold s3proxy (a test dependency of the module).
 */
public final class S3ProxyProcess implements AutoCloseable {
    public static final String ACCESS = "test-access";
    public static final String SECRET = "test-secret-key";

    private final Process process;
    private final String endpoint;

    private S3ProxyProcess(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts one and waits until it listens (at most a minute). */
    public static S3ProxyProcess start() {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Properties p = new Properties();
            p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
            p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            p.setProperty("s3proxy.identity", ACCESS);
            p.setProperty("s3proxy.credential", SECRET);
            p.setProperty("jclouds.provider", "transient");
            p.setProperty("jclouds.identity", ACCESS);
            p.setProperty("jclouds.credential", SECRET);
            Path props = Files.createTempFile("s3proxy", ".properties");
            try (var w = Files.newBufferedWriter(props)) {
                p.store(w, "decree service tests");
            }
            Path log = Files.createTempFile("s3proxy", ".log");
            Process s3 = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), "org.gaul.s3proxy.Main", "--properties", props.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long end = System.nanoTime() + 60_000_000_000L;
            while (!listening(port)) {
                if (!s3.isAlive() || System.nanoTime() > end) {
                    s3.destroyForcibly();
                    throw new IllegalStateException("S3Proxy did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
            return new S3ProxyProcess(s3, "http://127.0.0.1:" + port);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
    }

    public String endpoint() {
        return endpoint;
    }

    /** The services' settings (decree.s3.*) for this server. */
    public java.util.Map<String, String> settings() {
        return java.util.Map.of("decree.s3.endpoint", endpoint, "decree.s3.access-key", ACCESS, "decree.s3.secret-key", SECRET);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
