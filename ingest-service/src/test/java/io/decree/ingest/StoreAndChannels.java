package io.decree.ingest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a {@code @QuarkusTest} of ingest-service runs against: a real S3 server (S3Proxy on an in-memory blob store, on a
 * free port) and SmallRye's in-memory connector in place of Kafka, and API keys of every role. S3Proxy runs in a process
 * of its own: in the test's JVM, Quarkus's class loaders give Guice (inside jclouds) a second copy of the inject
 * annotations and it refuses to start.
 */
public class StoreAndChannels implements QuarkusTestResourceLifecycleManager {
    static final String UPLOADER_KEY = "test-uploader-key";
    static final String ADMIN_KEY = "test-admin-key";
    static final long MAX_UPLOAD = 4 << 20;
    private static final String ACCESS = "test-access";
    private static final String SECRET = "test-secret-key";

    private Process s3;

    @Override
    public Map<String, String> start() {
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
                p.store(w, "ingest-service tests");
            }
            Path log = Files.createTempFile("s3proxy", ".log");
            s3 = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), "org.gaul.s3proxy.Main", "--properties", props.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long end = System.nanoTime() + 60_000_000_000L;
            while (!listening(port)) {
                if (!s3.isAlive() || System.nanoTime() > end) {
                    throw new IllegalStateException("S3Proxy did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("decree.s3.endpoint", "http://127.0.0.1:" + port);
        config.put("decree.s3.access-key", ACCESS);
        config.put("decree.s3.secret-key", SECRET);
        config.put("decree.auth.api-keys", "up:uploader:" + io.decree.events.ScanKey.sha256(UPLOADER_KEY)
                + ";ops:admin:" + io.decree.events.ScanKey.sha256(ADMIN_KEY));
        config.put("decree.auth.rate-limit.per-minute", "0");
        // Small enough for HostileUploadsTest to send a file over it, above every model the tests upload.
        config.put("decree.ingest.max-upload-bytes", String.valueOf(MAX_UPLOAD));
        config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("encoder-registered"));
        config.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("bucket-notifications"));
        return config;
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
    public void stop() {
        InMemoryConnector.clear();
        if (s3 != null) {
            s3.destroy();
        }
    }
}
