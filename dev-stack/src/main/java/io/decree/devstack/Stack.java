package io.decree.devstack;

import io.decree.client.IngestClient;
import io.decree.client.LocalKey;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts a real Kafka broker (KRaft, one combined broker+controller), a real S3 server (S3Proxy on the file system)
 * and a real PostgreSQL (zonky's binaries) on loopback, creates the topics, and optionally the three services.
 * Everything it starts is stopped when it is (Ctrl-C or SIGTERM). Nothing is downloaded: all of it came from
 * Maven Central at build time.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run Kafka, S3 and PostgreSQL (and the decree services) on loopback, without Docker, until Ctrl-C.")
public final class Stack implements Callable<Integer>, AutoCloseable {

    @Option(names = "--dir", description = "Data and logs (default: ${DEFAULT-VALUE}).", defaultValue = "stack-data")
    Path dir;
    @Option(names = "--kafka-port", defaultValue = "19092")
    int kafkaPort;
    @Option(names = "--s3-port", defaultValue = "19000")
    int s3Port;
    @Option(names = "--pg-port", defaultValue = "15432")
    int pgPort;
    @Option(names = "--s3-access-key", defaultValue = "decree")
    String s3AccessKey;
    @Option(names = "--s3-secret-key", defaultValue = "decree-secret-key")
    String s3SecretKey;
    @Option(names = "--bucket", defaultValue = "decree")
    String bucket;
    @Option(names = "--services", description = "Also start ingest-service, detector-worker and report-service from ROOT.")
    boolean withServices;
    @Option(names = "--workers", defaultValue = "1", description = "detector-worker instances (one consumer group).")
    int workers;
    @Option(names = "--root", defaultValue = ".", description = "The repository root (for --services).")
    Path root;
    @Option(names = "--shared", description = "The shared data folder (default: ROOT/../shared).")
    Path shared;
    @Option(names = "--http-port", defaultValue = "18080",
            description = "ingest-service's port; report-service takes the next, workers the ones after.")
    int httpPort;
    @Option(names = "--ready-file", description = "Written with the endpoints (KEY=VALUE) and service PIDs once everything is up.")
    Path readyFile;
    @Option(names = "--submit", arity = "0..*", paramLabel = "[SET=]MODEL.pt",
            description = "Upload these models once the services are up (implies --services and --follow), each scanned "
                    + "with the shadow-image set named before '=' (default: photos).")
    List<String> submit = new ArrayList<>();
    @Option(names = "--shadow-set", paramLabel = "NAME=DIR",
            description = "A shadow-image set the workers offer besides photos and faces of the shared folder.")
    Map<String, Path> shadowSets = new LinkedHashMap<>();
    @Option(names = "--exit-when-done", description = "With --submit: stop everything and exit once every submitted model "
            + "has its result and every trojaned one its alert (exit 0; 2 if a scan failed).")
    boolean exitWhenDone;
    @Option(names = "--follow", description = "Print every scan result and alert as it arrives.")
    boolean follow;
    @Option(names = "--listen", paramLabel = "ADDRESS", description = "The address the services' HTTP APIs bind to "
            + "(default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens them to the network, with --api-keys).")
    String listen = "127.0.0.1";
    @Option(names = "--api-keys", paramLabel = "name:role[+role]:sha256;...",
            description = "The API keys the services accept (decree.auth.api-keys). Without it (and without --no-auth) a key with "
                    + "every role is made once, kept in DIR/api-key and printed.")
    String apiKeys;
    @Option(names = "--no-auth", description = "Access control off: every caller on this machine may upload, read and rescan "
            + "(loopback only).")
    boolean noAuth;
    @Option(names = "--service-env", paramLabel = "[SERVICE:]KEY=VALUE",
            description = "An extra environment variable for every service, or with a prefix for one (ingest-service, "
                    + "detector-worker, report-service), e.g. detector-worker:DECREE_WORKER_SCAN_TIMEOUT=2m.")
    Map<String, String> serviceEnv = new LinkedHashMap<>();

    static final List<String> SERVICES = List.of("ingest-service", "detector-worker", "report-service");

    private EmbeddedPostgres postgres;
    /** Servers: if one dies the stack stops. Services: may be stopped or killed (tests do) without stopping the rest. */
    private final List<ChildProcess> servers = new ArrayList<>();
    private final List<ChildProcess> services = new ArrayList<>();
    private ResultFollower follower;
    private volatile boolean closing;
    /** The key made for this stack when no keys were given (null with --api-keys or --no-auth). */
    private String localKey;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        submit.forEach(Submission::parse); // a missing model is refused before anything starts
        if (noAuth && apiKeys != null) {
            throw new IllegalArgumentException("--no-auth and --api-keys contradict each other: give one");
        }
        if (noAuth && !isLoopback(listen)) {
            throw new IllegalArgumentException("--listen " + listen + " opens the APIs to the network with access control off: "
                    + "drop --no-auth");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stack-shutdown"));
        dir = dir.toAbsolutePath();
        Files.createDirectories(dir);
        if (apiKeys == null && !noAuth) {
            localKey = LocalKey.readOrCreate(dir.resolve(LocalKey.FILE));
            apiKeys = LocalKey.credential(localKey);
        }
        postgres = PostgresServer.start(dir.resolve("postgres"), pgPort);
        ChildProcess kafka = KafkaServer.start(dir.resolve("kafka"), kafkaPort, dir.resolve("logs"));
        servers.add(kafka);
        ChildProcess s3 = S3Server.start(dir, s3Port, s3AccessKey, s3SecretKey, dir.resolve("logs"));
        servers.add(s3);
        kafka.awaitPort(kafkaPort, Duration.ofSeconds(90));
        KafkaServer.createTopics("127.0.0.1:" + kafkaPort);
        s3.awaitPort(s3Port, Duration.ofSeconds(60));
        Map<String, String> env = endpoints();
        System.out.printf("dev-stack: Kafka %s, S3 %s, PostgreSQL %s up in %.1f s%n", env.get("KAFKA_BOOTSTRAP_SERVERS"),
                env.get("DECREE_S3_ENDPOINT"), env.get("QUARKUS_DATASOURCE_JDBC_URL"), (System.nanoTime() - t0) / 1e9);
        if (!submit.isEmpty()) {
            withServices = true;
            follow = true;
        }
        if (follow) {
            follower = ResultFollower.start("127.0.0.1:" + kafkaPort);
        }
        if (withServices) {
            startServices(env);
            services.forEach(c -> env.put("PID_" + c.name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
                    String.valueOf(c.process.pid())));
            System.out.printf("dev-stack: services up in %.1f s (ingest http://127.0.0.1:%d, report http://127.0.0.1:%d)%n",
                    (System.nanoTime() - t0) / 1e9, httpPort, httpPort + 1);
        }
        env.put("DECREE_STACK_STARTUP_SECONDS", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        if (readyFile != null) {
            StringBuilder sb = new StringBuilder();
            env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
            Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString());
            Files.move(tmp, readyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("dev-stack: ready; logs in " + dir.resolve("logs") + "; Ctrl-C stops everything");
        if (!submit.isEmpty()) {
            IngestClient client = new IngestClient(java.net.URI.create("http://127.0.0.1:" + httpPort),
                    java.net.URI.create("http://127.0.0.1:" + (httpPort + 1)), localKey != null ? localKey : System.getenv("DECREE_API_KEY"));
            for (String entry : submit) {
                Submission sub = Submission.parse(entry);
                IngestClient.Answer a = client.upload(sub.model(), sub.shadowSet(), false);
                System.out.printf("dev-stack: uploaded %s (shadow images: %s) -> %d %s%n", sub.model().getFileName(), sub.shadowSet(),
                        a.status(), a.body());
                // 202: a scan is coming. 200: already registered, its verdict is stored (no new result). 4xx: refused.
                follower.expect(sub.sha256(), a.status() == 202);
                if (a.status() >= 400) {
                    follower.failed(sub.sha256());
                }
            }
        }
        // Stay up until stopped; a server that dies takes the stack down rather than leaving it half-working.
        java.util.Set<ChildProcess> reported = new java.util.HashSet<>();
        while (true) {
            if (exitWhenDone && follower != null && follower.allDone()) {
                System.out.println("dev-stack: every submitted model has its result; stopping");
                int rc = follower.anyFailed() ? 2 : 0;
                close();
                return rc;
            }
            for (ChildProcess c : servers) {
                if (!closing && !c.process.isAlive()) {
                    System.err.println("dev-stack: " + c.name + " exited with " + c.process.exitValue() + "; see " + c.log);
                    return 3;
                }
            }
            for (ChildProcess c : services) {
                if (!closing && !c.process.isAlive() && reported.add(c)) {
                    System.err.println("dev-stack: service " + c.name + " exited with " + c.process.exitValue() + "; see " + c.log);
                }
            }
            ChildProcess.sleep(1000);
        }
    }

    /** The settings every service reads, as environment variables (Quarkus maps them onto its properties). */
    Map<String, String> endpoints() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
        env.put("DECREE_S3_ENDPOINT", "http://127.0.0.1:" + s3Port);
        env.put("DECREE_S3_ACCESS_KEY", s3AccessKey);
        env.put("DECREE_S3_SECRET_KEY", s3SecretKey);
        env.put("DECREE_S3_BUCKET", bucket);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/decree");
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + pgPort + "/decree");
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        // The pages are served on plain-http loopback here: a Secure cookie would not be sent back by every browser.
        env.put("DECREE_AUTH_SECURE_COOKIE", "false");
        return env;
    }

    static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
    }

    private void startServices(Map<String, String> env) {
        Path r = root.toAbsolutePath().normalize();
        Path sharedDir = (shared != null ? shared : r.resolve("../shared")).toAbsolutePath().normalize();
        Map<String, String> common = new LinkedHashMap<>(env);
        common.put("DECREE_AUTH_ENABLED", String.valueOf(apiKeys != null));
        if (apiKeys != null) {
            common.put("DECREE_AUTH_API_KEYS", apiKeys);
        } else {
            System.out.println("dev-stack: access control is off (--no-auth): every caller on " + listen
                    + " may upload, read and rescan");
        }
        if (localKey != null) {
            System.out.println("dev-stack: access control is on; this stack's key (every role) is " + localKey + "\n"
                    + "  kept in " + dir.resolve(LocalKey.FILE) + " (./decree submit reads it there; other clients send it as "
                    + "X-API-Key, the pages ask for it once)");
        }
        serviceEnv.forEach((k, v) -> {
            if (!k.contains(":")) {
                common.put(k, v);
            } else if (!SERVICES.contains(k.substring(0, k.indexOf(':')))) {
                throw new IllegalArgumentException("--service-env " + k + "=...: no service '" + k.substring(0, k.indexOf(':'))
                        + "' (one of " + SERVICES + ")");
            }
        });
        String cache = System.getenv().getOrDefault("DECREE_CACHE", System.getProperty("user.home") + "/.cache/decree");
        common.put("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR", cache + "/djl"));
        common.put("ENGINE_CACHE_DIR", System.getenv().getOrDefault("ENGINE_CACHE_DIR", cache + "/engine"));
        Path logs = dir.resolve("logs");
        List<ChildProcess> started = new ArrayList<>();
        started.add(service("report-service", r, logs, common, httpPort + 1, Map.of(), List.of()));
        for (int i = 0; i < workers; i++) {
            Map<String, String> w = new LinkedHashMap<>();
            w.put("DECREE_WORKER_CLI_HOME", r.resolve("decree-cli/target").toString());
            w.put("DECREE_WORKER_WORK_DIR", dir.resolve("worker-" + i).toString());
            w.put("DECREE_WORKER_SHADOW_SETS_PHOTOS", sharedDir.resolve("images/photos").toString());
            w.put("DECREE_WORKER_SHADOW_SETS_FACES", sharedDir.resolve("images/faces").toString());
            List<String> jvm = new ArrayList<>();
            // As system properties: a map key with a dash (fashion-mnist) has no unambiguous environment name.
            shadowSets.forEach((name, folder) -> jvm.add("-Ddecree.worker.shadow-sets." + name + "=" + folder.toAbsolutePath().normalize()));
            // Workers share this host's cores: give each scan its share, or OpenMP threads spin against each other.
            w.put("DECREE_WORKER_TORCH_THREADS", String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / workers)));
            started.add(service(workers == 1 ? "detector-worker" : "detector-worker-" + i, r, logs, common,
                    httpPort + 2 + i, w, jvm));
        }
        started.add(service("ingest-service", r, logs, common, httpPort, Map.of(), List.of()));
        for (ChildProcess c : started) {
            c.awaitPort(portOf(c), Duration.ofSeconds(120));
        }
    }

    private final Map<ChildProcess, Integer> ports = new LinkedHashMap<>();

    private int portOf(ChildProcess c) {
        return ports.get(c);
    }

    private ChildProcess service(String name, Path r, Path logs, Map<String, String> common, int port, Map<String, String> extra,
            List<String> jvmOptions) {
        String module = name.startsWith("detector-worker") ? "detector-worker" : name;
        Path jar = r.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new UncheckedIOException(new IOException(jar + " is missing: build with mvn -DskipTests package"));
        }
        Map<String, String> env = new LinkedHashMap<>(common);
        env.putAll(extra);
        // A setting one service alone reads can break another (a worker's channel property read by report-service
        // names a channel it lacks), so SERVICE:KEY=VALUE goes to that service only.
        serviceEnv.forEach((k, v) -> {
            if (k.startsWith(module + ":")) {
                env.put(k.substring(module.length() + 1), v);
            }
        });
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // A Quarkus jar listens on every interface by default; the embedded stack is a laptop's unless told otherwise.
        env.put("QUARKUS_HTTP_HOST", listen);
        List<String> args = new ArrayList<>(List.of("-Xmx512m"));
        args.addAll(jvmOptions);
        args.addAll(List.of("-jar", jar.toString()));
        ChildProcess c = ChildProcess.java(name, logs, env, args);
        services.add(c);
        ports.put(c, port);
        return c;
    }

    /** One {@code --submit} entry: the model and the shadow-image set it is scanned with. */
    record Submission(Path model, String shadowSet) {
        static Submission parse(String entry) {
            int eq = entry.indexOf('=');
            boolean named = eq > 0 && entry.substring(0, eq).matches("[a-z0-9-]+");
            Path model = Path.of(named ? entry.substring(eq + 1) : entry);
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("--submit " + entry + ": no such file " + model);
            }
            return new Submission(model, named ? entry.substring(0, eq) : "photos");
        }

        String sha256() {
            try {
                return io.decree.events.ScanKey.sha256(model);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + model + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        closing = true;
        if (follower != null) {
            follower.close();
            follower = null;
        }
        // Services first (they hold consumers and connections), then the servers they use.
        services.forEach(ChildProcess::close);
        services.clear();
        List<ChildProcess> reversed = new ArrayList<>(servers);
        java.util.Collections.reverse(reversed);
        reversed.forEach(ChildProcess::close);
        servers.clear();
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("dev-stack: stopping PostgreSQL: " + e.getMessage());
            }
            postgres = null;
        }
    }
}
