package io.decree.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.client.IngestClient;
import io.decree.client.LocalKey;
import io.decree.events.ScanProgress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code decree submit MODEL.pt}: upload to a running pipeline and wait for its verdict. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Upload a TorchScript encoder to the running pipeline (./decree up) and wait for its verdict.")
final class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.pt", description = "The model; MODEL.json beside it is sent as its input spec.")
    Path model;
    @Option(names = "--images", defaultValue = "photos", description = "Shadow-image set the worker should use (default: ${DEFAULT-VALUE}).")
    String images;
    @Option(names = "--rescan", description = "Scan again even if this detector already has a verdict for these bytes.")
    boolean rescan;
    @Option(names = "--base", paramLabel = "BASE.pt|SHA256",
            description = "The upstream checkpoint MODEL.pt was fine-tuned from: a file (uploaded first) or the sha256 of a "
                    + "registered encoder. The verdict is then relative to the base's smallest trigger (a differential scan).")
    String base;
    @Option(names = "--ingest", defaultValue = "http://127.0.0.1:18080")
    URI ingest;
    @Option(names = "--report", defaultValue = "http://127.0.0.1:18081")
    URI report;
    @Option(names = "--api-key", defaultValue = "${env:DECREE_API_KEY}",
            description = "API key (uploader and reader roles) when the pipeline requires one (default: $DECREE_API_KEY, "
                    + "else the key ./decree up made in --stack-dir).")
    String apiKey;
    @Option(names = "--stack-dir", defaultValue = "stack-data",
            description = "The folder of the stack ./decree up runs (default: ${DEFAULT-VALUE}); its api-key is the default key.")
    Path stackDir;
    @Option(names = "--wait", defaultValue = "PT60M", description = "How long to wait for the verdict (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            System.err.println("decree submit: no such file " + model);
            return 4;
        }
        IngestClient client = new IngestClient(ingest, report, apiKey != null ? apiKey : LocalKey.of(stackDir));
        long t0 = System.nanoTime();
        ObjectMapper json = new ObjectMapper();
        IngestClient.Answer a;
        String baseSha = null;
        try {
            if (base != null && Files.isRegularFile(Path.of(base))) {
                IngestClient.Answer b = client.upload(Path.of(base), images, false);
                JsonNode bb = json.readTree(b.body());
                if (b.status() >= 400) {
                    System.err.println("decree submit: base rejected (" + b.status() + "): " + bb.path("reason").asText(b.body()));
                    return 2;
                }
                baseSha = bb.get("sha256").asText();
                System.out.println("decree submit: base " + bb.get("status").asText() + " " + baseSha);
            } else if (base != null) {
                baseSha = base;
            }
            a = client.upload(model, images, rescan, baseSha);
        } catch (java.net.ConnectException e) {
            System.err.println("decree submit: no ingest-service at " + ingest + " (start the pipeline with ./decree up)");
            return 2;
        }
        JsonNode body = json.readTree(a.body());
        if (a.status() >= 400) {
            System.err.println("decree submit: rejected (" + a.status() + "): " + body.path("reason").asText(a.body()));
            return 2;
        }
        String sha = body.get("sha256").asText();
        System.out.println("decree submit: " + body.get("status").asText() + " " + sha);
        long end = System.nanoTime() + wait.toNanos();
        String shown = null;
        while (System.nanoTime() < end) {
            IngestClient.Answer read = client.report("/api/encoders/" + sha);
            if (read.status() != 200 && read.status() != 404) {
                // 404 is "no verdict stored yet"; anything else (a key without the reader role, a server error) will not
                // change by waiting.
                System.err.println("decree submit: cannot read the verdict (" + read.status() + "): " + read.body());
                return 2;
            }
            String view = read.status() == 200 ? read.body() : null;
            if (view != null) {
                JsonNode v = json.readTree(view);
                // Where it is, once per change: queued, then the scan's progress as the worker reports it.
                JsonNode p = v.path("progress");
                String state = "scanning".equals(v.path("state").asText()) && p.isObject()
                        ? "scanning: " + ScanProgress.describe(p.path("phase").asText(), p.path("step").asInt(), p.path("maxSteps").asInt(),
                                p.hasNonNull("bestPl1") ? p.get("bestPl1").asDouble() : null, p.path("elapsedSeconds").asDouble())
                        : "queued".equals(v.path("state").asText()) ? "queued, waiting for a worker" : null;
                if (state != null && !state.equals(shown)) {
                    System.out.println("decree submit: " + state);
                    shown = state;
                }
                // The latest scan of the kind asked: differential against this base, or plain.
                JsonNode s = null;
                for (JsonNode scan : v.path("scans")) {
                    if (java.util.Objects.equals(baseSha, scan.hasNonNull("baseModel") ? scan.get("baseModel").asText() : null)) {
                        s = scan;
                        break;
                    }
                }
                if (s != null) {
                    if ("failed".equals(s.path("status").asText())) {
                        System.out.println("FAILED " + model.getFileName() + ": " + s.path("reason").asText());
                        return 2;
                    }
                    String verdict = s.path("verdict").asText();
                    System.out.printf(Locale.ROOT, "%s %s  PL1 %.4f (threshold %.4f)  scan %.0f s, upload to verdict %.0f s%n",
                            verdict.toUpperCase(Locale.ROOT), model.getFileName(), s.path("pl1Norm").asDouble(),
                            s.path("threshold").asDouble(), s.path("seconds").asDouble(), (System.nanoTime() - t0) / 1e9);
                    if (baseSha != null && s.hasNonNull("score")) {
                        System.out.printf(Locale.ROOT, "why: its smallest trigger that collapses every shadow image is %.2fx its base's%n",
                                s.path("score").asDouble());
                    }
                    return "trojaned".equals(verdict) ? 1 : 0;
                }
            }
            Thread.sleep(1000);
        }
        System.err.println("decree submit: no verdict within " + wait);
        return 3;
    }
}
