package io.decree.pipeline;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP endpoint standing in for a security tool's webhook: it answers 503 to the first
 * {@code failFirst} deliveries (a receiver that is down for a while), then 204, and keeps what it accepted.
 */
final class WebhookReceiver implements AutoCloseable {
    record Delivery(String body, String signature, String contentType, String traceparent) {
    }

    private final HttpServer server;
    private final AtomicInteger attempts = new AtomicInteger();
    private final List<Delivery> accepted = new ArrayList<>();

    WebhookReceiver(int port, int failFirst) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/hooks/decree", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            int n = attempts.incrementAndGet();
            if (n <= failFirst) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                synchronized (accepted) {
                    accepted.add(new Delivery(new String(body, StandardCharsets.UTF_8),
                            exchange.getRequestHeaders().getFirst("X-Decree-Signature"),
                            exchange.getRequestHeaders().getFirst("Content-Type"),
                            exchange.getRequestHeaders().getFirst("traceparent")));
                }
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/decree";
    }

    int attempts() {
        return attempts.get();
    }

    List<Delivery> awaitAccepted(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            synchronized (accepted) {
                if (accepted.size() >= count) {
                    return List.copyOf(accepted);
                }
            }
            Thread.sleep(200);
        }
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
