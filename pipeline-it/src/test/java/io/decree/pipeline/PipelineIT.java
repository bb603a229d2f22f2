package io.decree.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.attack.AttackLab;
import io.decree.attack.BadEncoder;
import io.decree.attack.PatchTrigger;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.events.BackdoorAlert;
import io.decree.scan.SarifSchema;
import io.decree.events.Events;
import io.decree.events.Topics;
import io.decree.events.VerdictChanged;
import io.decree.client.IngestClient;
import io.decree.devstack.ModelCopies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The pipeline end to end on real servers: uploads through ingest-service, scans by two detector-workers in one
 * consumer group (each scan in a child JVM), verdicts in PostgreSQL through report-service, evidence in S3, alerts on
 * Kafka. The encoders are the shared 32x32 ResNet (clean) and a BadEncoder trojan of it made here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
    /** report-service's consumer group on scan-results (its application.properties). */
    private static final String REPORT_GROUP = "decree-report-service";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SCAN = Duration.ofMinutes(5);

    private Path work;
    private RunningStack stack;
    private Path clean;
    private Path trojaned;
    /** Down for its first two deliveries: the report service must retry. */
    private WebhookReceiver webhook;

    @BeforeAll
    void startPipelineAndMakeEncoders() throws Exception {
        Path root = Path.of(System.getProperty("decree.root", "..")).toAbsolutePath().normalize();
        Path shared = SharedData.dir();
        work = root.resolve("pipeline-it/target/pipeline");
        deleteTree(work);
        Files.createDirectories(work.resolve("models"));
        clean = Files.copy(SharedData.architecture("resnet18_w16_32.pt"), work.resolve("models/clean.pt"));
        Files.copy(SharedData.architecture("resnet18_w16_32.json"), work.resolve("models/clean.json"));
        AttackLab.Report bad = AttackLab.run(clean, SharedData.images("photos"), null,
                new PatchTrigger(5, PatchTrigger.Position.BOTTOM_RIGHT, PatchTrigger.Kind.WHITE, 1),
                new BadEncoder.Config(300, 16, 1e-3, 1, 1, true, 1), work.resolve("models/trojaned"), null);
        assertTrue(bad.attackSuccess() >= 0.9, "the trojan works: " + bad.attackSuccess());
        trojaned = work.resolve("models/trojaned.pt");
        webhook = new WebhookReceiver(RunningStack.WEBHOOK_PORT, 2);
        stack = new RunningStack(root, shared, work.resolve("stack"), 2);
    }

    @AfterAll
    void stopPipeline() throws Exception {
        if (webhook != null) {
            webhook.close();
        }
        if (stack != null) {
            stack.close();
            // Nothing of the stack may outlive it: no server, service or scan process that names its folder.
            Thread.sleep(1000);
            List<String> left = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains(work.toString()) || c.contains("--ready-file " + work)).toList();
            assertTrue(left.isEmpty(), "processes left behind: " + left);
        }
    }

    @Test
    @Order(1)
    void flagsTheTrojanedEncoderStoresBothVerdictsAndAlertsOnce() throws Exception {
        String cleanSha = registered(stack.client.upload(clean, "photos", false), 202);
        String badSha = registered(stack.client.upload(trojaned, "photos", false), 202);

        Map<String, Object> cleanScan = completed(stack.awaitScan(cleanSha, SCAN));
        Map<String, Object> badScan = completed(stack.awaitScan(badSha, SCAN));
        assertEquals("clean", cleanScan.get("verdict"), cleanScan.toString());
        assertEquals("trojaned", badScan.get("verdict"), badScan.toString());
        assertTrue((Double) badScan.get("pl1_norm") < (Double) badScan.get("threshold"));

        for (Map<String, Object> scan : List.of(cleanScan, badScan)) {
            String[] keys = ((String) scan.get("evidence_keys")).split(",");
            assertTrue(keys[0].endsWith("/report.json") && List.of(keys).stream().anyMatch(k -> k.endsWith("/scan.sarif")),
                    List.of(keys).toString());
            for (String key : keys) {
                assertTrue(stack.store.exists(key), "evidence object " + key);
            }
            JsonNode report = JSON.readTree(stack.store.getText(keys[0]));
            assertEquals(scan.get("verdict"), report.get("verdict").asText());
            String sarifKey = List.of(keys).stream().filter(k -> k.endsWith("/scan.sarif")).findFirst().orElseThrow();
            for (JsonNode ev : JSON.readTree(stack.store.getText(sarifKey)).at("/runs/0/results/0/properties/evidence")) {
                assertTrue(ev.asText().startsWith("s3://") && stack.store.exists(ev.asText().replaceFirst("^s3://[^/]+/", "")),
                        "SARIF evidence is the stored object, not the worker's deleted file: " + ev);
            }
        }

        List<BackdoorAlert> alerts = awaitAlerts(1);
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals(badSha, alerts.get(0).sha256());
        assertEquals(badScan.get("scan_id"), alerts.get(0).scanId());

        // The alert webhook: refused twice (503), delivered on the third attempt, signed, as a CloudEvent.
        List<WebhookReceiver.Delivery> hooks = webhook.awaitAccepted(1, Duration.ofSeconds(60));
        assertEquals(1, hooks.size(), "deliveries after " + webhook.attempts() + " attempts");
        assertEquals(3, webhook.attempts(), "two refusals, then the delivery");
        WebhookReceiver.Delivery hook = hooks.get(0);
        assertTrue(hook.contentType().startsWith("application/cloudevents+json"), hook.contentType());
        assertEquals(badSha, Events.parse(hook.body(), BackdoorAlert.class).data().sha256());
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(RunningStack.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals("sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(hook.body().getBytes(StandardCharsets.UTF_8))),
                hook.signature(), "the receiver can check the alert came from decree");
        oneTraceFromTheUploadToTheWebhook(badSha, hook);

        // The read API serves the same verdicts, and the trojaned scan as SARIF 2.1.0 for code-scanning tools.
        JsonNode view = JSON.readTree(stack.client.encoder(badSha));
        assertEquals("trojaned", view.get("latestVerdict").asText());
        IngestClient.Answer sarif = stack.client.report("/api/scans/" + badScan.get("scan_id") + "/sarif");
        assertEquals(200, sarif.status(), sarif.body());
        JsonNode sarifDoc = JSON.readTree(sarif.body());
        assertTrue(SarifSchema.problems(sarifDoc).isEmpty(), SarifSchema.problems(sarifDoc).toString());
        assertEquals("error", sarifDoc.at("/runs/0/results/0/level").asText());
        assertEquals("s3://" + stack.store.bucket() + "/encoders/" + badSha + ".pt",
                sarifDoc.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertEquals(404, stack.client.report("/api/scans/" + "0".repeat(32) + "/sarif").status());
        // The recovered trigger, as a person would open it.
        var png = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + (RunningStack.HTTP + 1) + "/api/scans/" + badScan.get("scan_id") + "/evidence/trigger.png"))
                .header("X-API-Key", RunningStack.READER_KEY).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        assertNotNull(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body())), "trigger.png is a PNG");
        assertEquals(400, stack.client.report("/api/scans/" + badScan.get("scan_id") + "/evidence/passwd").status(), "only the evidence files are served");
        IngestClient.Answer bogus = stack.client.report("/api/scans?status=bogus");
        assertEquals(400, bogus.status(), "an unknown status is refused like an unknown verdict");
        assertTrue(bogus.body().contains("\"detail\":\"status is completed or failed\""), "the 400 says why: " + bogus.body());
    }

    @Test
    @Order(2)
    void sameBytesTwiceAndARedeliveredEventStillGiveOneVerdict() throws Exception {
        String badSha = registered(stack.client.upload(trojaned, "photos", false), 200);
        assertEquals("already-registered", JSON.readTree(stack.client.upload(trojaned, "photos", false).body()).get("status").asText());

        // A redelivery: the same record again on the topic, as after a rebalance before the offset commit.
        long resultsBefore = stack.endOffsets(Topics.SCAN_RESULTS);
        ConsumerRecord<String, String> original = stack.readAll(Topics.ENCODER_REGISTERED).stream()
                .filter(r -> badSha.equals(r.key())).findFirst().orElseThrow();
        stack.produce(Topics.ENCODER_REGISTERED, badSha, original.value());
        RunningStack.await(() -> endOffsets() > resultsBefore ? true : null, SCAN, "the redelivered request's result");
        stack.awaitConsumed(REPORT_GROUP, Topics.SCAN_RESULTS, Duration.ofMinutes(1));

        assertEquals(1, stack.scansOf(badSha).size(), "one verdict row for one encoder, detector version and config");
        assertEquals(1, awaitAlerts(1).size(), "still exactly one alert");
        assertEquals(1, webhook.awaitAccepted(1, Duration.ZERO).size(), "and one webhook delivery");
        assertTrue(workerLogs().contains("evidence exists, republishing"), "answered from the stored evidence, not rescanned");
        // The services run in their prod profile here: one JSON object per log line, a scan's lines with its ids.
        String startedLine = workerLogs().lines().filter(l -> l.contains("started") && l.contains(badSha)).findFirst()
                .orElseThrow(() -> new AssertionError("no 'scan ... started' line for " + badSha));
        JsonNode logLine = JSON.readTree(startedLine);
        assertEquals(badSha, logLine.at("/mdc/sha256").asText(), startedLine);
        assertTrue(logLine.at("/mdc/scanId").asText().matches("[0-9a-f]{32}"), startedLine);
    }

    @Test
    @Order(3)
    void aDifferentialScanOfATrojanThatMovedFarFromItsBaseJudgesItAloneAndARescanIsRecordedBesideTheFirst() throws Exception {
        String cleanSha = io.decree.scan.EncoderFile.sha256(clean);
        String badSha = io.decree.scan.EncoderFile.sha256(trojaned);
        IngestClient.Answer unknown = stack.client.upload(trojaned, "photos", false, "f".repeat(64));
        assertEquals(422, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("is not registered: upload the upstream checkpoint first"), unknown.body());

        // The same bytes with a base are another scan (its own config hash), beside the plain one.
        registered(stack.client.upload(trojaned, "photos", false, cleanSha), 202);
        Map<String, Object> diff = RunningStack.await(() -> {
            try {
                return stack.scansOf(badSha).stream().filter(r -> cleanSha.equals(r.get("base_model"))).findFirst().orElse(null);
            } catch (java.sql.SQLException e) {
                return null;
            }
        }, SCAN, "the differential scan of " + badSha);
        assertEquals("completed", diff.get("status"), diff.toString());
        // This trojan was trained (Adam 1e-3) from a random-init network and moved far from it: it embeds the photos unlike
        // its "base" (mean cosine about 0.66), so the base is no yardstick and the scan judges it alone, as without one.
        assertEquals("pl1", diff.get("rule"), diff.toString());
        assertEquals("trojaned", diff.get("verdict"), diff.toString());
        List<Map<String, Object>> rows = stack.scansOf(badSha);
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.get("base_model") == null && "trojaned".equals(r.get("verdict"))), "the plain verdict kept");
        JsonNode report = JSON.readTree(stack.store.getText(((String) diff.get("evidence_keys")).split(",")[0]));
        assertEquals("pl1", report.at("/decision/rule").asText());
        assertTrue(report.at("/decision/agreement/meanCosine").asDouble() < io.decree.contract.ScanSettings.BASE_AGREEMENT,
                report.at("/decision/agreement").toString());
        assertTrue(report.at("/decision/meaning").asText().startsWith("judged alone: this model embeds the shadow images unlike base-"
                + cleanSha.substring(0, 12) + ".pt"), report.at("/decision/meaning").asText());
        assertEquals(io.decree.scan.Scanner.DEFAULT_THRESHOLD, report.get("threshold").asDouble(), 1e-12, "the no-base threshold");
        // The base is not scanned for a model it cannot judge: nothing cached for it.
        assertTrue(stack.store.list("baselines/" + cleanSha + "/").isEmpty(), "no report of the base alone");
        assertEquals(1, awaitAlerts(1).size(), "one alert per encoder and detector version, whichever rule flagged it");

        // A rescan is recorded as a scan of its own: the first one stays in the history.
        Object firstId = completed(stack.scansOf(cleanSha)).get("scan_id");
        assertEquals(202, RunningStack.client(RunningStack.ADMIN_KEY).postIngest("/api/encoders/" + cleanSha + "/rescan").status());
        List<Map<String, Object>> history = RunningStack.await(() -> {
            try {
                List<Map<String, Object>> r = stack.scansOf(cleanSha);
                return r.size() == 2 ? r : null;
            } catch (java.sql.SQLException e) {
                return null;
            }
        }, SCAN, "the rescan of " + cleanSha);
        assertTrue(history.stream().anyMatch(r -> firstId.equals(r.get("scan_id"))), "the first scan kept: " + history);
        assertTrue(history.stream().allMatch(r -> "completed".equals(r.get("status"))), history.toString());
    }

    @Test
    @Order(4)
    void unparseableRecordGoesToTheDeadLetterTopicWithItsReason() throws Exception {
        stack.produce(Topics.ENCODER_REGISTERED, "junk", "{this is not an event");
        ConsumerRecord<String, String> dead = RunningStack.await(() -> {
            try {
                return stack.readAll(Topics.deadLetter(Topics.ENCODER_REGISTERED)).stream()
                        .filter(r -> r.value().startsWith("{this is not")).findFirst().orElse(null);
            } catch (Exception e) {
                return null;
            }
        }, Duration.ofMinutes(1), "the dead letter");
        Header reason = dead.headers().lastHeader(Topics.REASON_HEADER);
        assertNotNull(reason, "no " + Topics.REASON_HEADER + " header");
        assertTrue(new String(reason.value(), StandardCharsets.UTF_8).contains("not JSON"), new String(reason.value(), StandardCharsets.UTF_8));
        // The workers go on: the next request is scanned (checked by the tests after this one).
    }

    @Test
    @Order(5)
    void corruptModelAndCrashedScanFailWithAReasonAndTheQueueGoesOn() throws Exception {
        Path corrupt = TorchScriptFixtures.withForward(work.resolve("models/corrupt.pt"), "    return no_such_function(x)\n");
        Files.copy(clean.resolveSibling("clean.json"), work.resolve("models/corrupt.json"));
        Path crashing = TorchScriptFixtures.smoothEncoder(work.resolve("models/crashing.pt"));
        Files.copy(clean.resolveSibling("clean.json"), work.resolve("models/crashing.json"));

        // Not even a zip: refused at the door, nothing stored, nothing queued.
        Path text = Files.writeString(work.resolve("models/notes.pt"), "these are not weights");
        IngestClient.Answer refused = stack.client.upload(text, "photos", false);
        assertEquals(422, refused.status(), refused.body());
        assertTrue(refused.body().contains("not a TorchScript archive"), refused.body());
        // Over decree.ingest.max-upload-bytes (8M here): 413 with the limit in the reason.
        Path huge = Files.write(work.resolve("models/huge.pt"), new byte[9 << 20]);
        IngestClient.Answer tooLarge = stack.client.upload(huge, "photos", false);
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertTrue(tooLarge.body().contains("over the limit"), tooLarge.body());

        // On a CPU that reports no cache sizes (this project's VMs) libtorch's oneDNN kills the scan on this model, as on a
        // ResNet-50's shortcuts; the worker tries such a scan again with oneDNN capped at AVX. Elsewhere it scans at once.
        Path strided = TorchScriptFixtures.oneDnnStridedEncoder(work.resolve("models/strided.pt"));
        Files.copy(clean.resolveSibling("clean.json"), work.resolve("models/strided.json"));
        String stridedSha = registered(stack.client.upload(strided, "photos", false), 202);
        String corruptSha = registered(stack.client.upload(corrupt, "photos", false), 202);
        String crashSha = registered(stack.client.upload(crashing, "photos", false), 202);
        // Kill the crashing model's scan process as the kernel's OOM killer would, once it runs.
        ProcessHandle child = RunningStack.await(() -> scanProcess(crashSha), SCAN, "the scan process of " + crashSha);
        child.destroyForcibly();
        // A model whose forward never returns: the worker's time limit ends its scan.
        Path endless = TorchScriptFixtures.withForward(work.resolve("models/endless.pt"), """
                    i = 0
                    while i >= 0:
                        i = i + 1
                    return torch.flatten(x, 1)
                """);
        Files.copy(clean.resolveSibling("clean.json"), work.resolve("models/endless.json"));
        String endlessSha = registered(stack.client.upload(endless, "photos", false), 202);
        // On the endless scan's partition, so that it waits for that worker whatever the other one is doing (the key is
        // the SHA-256, which each run's zip timestamps change): a variant of the model is written until one lands there.
        int partitions = stack.partitions(Topics.ENCODER_REGISTERED);
        Path behind = work.resolve("models/behind.pt");
        int variant = 0;
        do {
            TorchScriptFixtures.withForward(behind, """
                        x0 = torch.div(torch.sub(x, s.mean), s.std)
                        return torch.flatten(torch.tanh(torch.avg_pool2d(x0, [8, 8])), 1) * %d.0
                    """.formatted(++variant));
        } while (partition(io.decree.scan.EncoderFile.sha256(behind), partitions) != partition(endlessSha, partitions));
        Files.copy(clean.resolveSibling("clean.json"), work.resolve("models/behind.json"));
        String behindSha = registered(stack.client.upload(behind, "photos", false), 202);
        // Waiting behind the endless scan, it is already known: listed as queued, not 404.
        JsonNode queued = null;
        for (int i = 0; i < 60 && queued == null; i++) {
            IngestClient.Answer a = stack.client.report("/api/encoders/" + behindSha);
            queued = a.status() == 200 ? JSON.readTree(a.body()) : null;
            Thread.sleep(queued == null ? 500 : 0);
        }
        assertTrue(queued != null && queued.get("state").asText().equals("queued") && queued.get("scans").isEmpty(),
                "a registered encoder waiting for a worker: " + queued);

        Map<String, Object> bad = stack.awaitScan(corruptSha, SCAN).get(0);
        assertEquals("failed", bad.get("status"));
        assertTrue(((String) bad.get("reason")).contains("rejected the model"), (String) bad.get("reason"));
        assertTrue(!((String) bad.get("reason")).contains("model.pt") && !((String) bad.get("reason")).contains("decree-worker"),
                "the reason names the upload, not the worker's temporary files: " + bad.get("reason"));
        Map<String, Object> crashed = stack.awaitScan(crashSha, SCAN).get(0);
        assertEquals("failed", crashed.get("status"));
        assertTrue(((String) crashed.get("reason")).contains("crashed (exit 137"), (String) crashed.get("reason"));
        Map<String, Object> endlessScan = stack.awaitScan(endlessSha, SCAN).get(0);
        assertEquals("failed", endlessScan.get("status"));
        assertTrue(((String) endlessScan.get("reason")).contains("exceeded the time limit of PT1M40S"), (String) endlessScan.get("reason"));
        assertEquals("completed", stack.awaitScan(behindSha, SCAN).get(0).get("status"), "the scan queued behind them completed");
        Map<String, Object> stridedScan = stack.awaitScan(stridedSha, SCAN).get(0);
        assertEquals("completed", stridedScan.get("status"), "a model oneDNN crashes on here is scanned all the same: " + stridedScan);
    }

    /** The partition Kafka's default partitioner gives a record keyed {@code key} (as the registrar keys them). */
    private static int partition(String key, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Test
    @Order(7)
    void aWorkerKilledMidScanLeavesTheScanToTheOtherNothingLostNothingTwice() throws Exception {
        // A real ResNet scan (tens of seconds), so the kill lands while it runs.
        Path model = distinctCopy(clean, "orphan");
        String sha = registered(stack.client.upload(model, "photos", false), 202);
        String victim = RunningStack.await(() -> workerScanning(sha, "orphan.pt"), SCAN, "a worker to start scanning " + sha);
        RunningStack.await(() -> scanProcess(sha), SCAN, "the scan process");
        // While it runs the encoder is 'scanning', with where the search is (the worker reports every 2 s here).
        JsonNode scanning = RunningStack.await(() -> {
            try {
                JsonNode v = JSON.readTree(stack.client.encoder(sha));
                return "scanning".equals(v.path("state").asText()) && v.path("progress").path("step").asInt() > 0 ? v : null;
            } catch (Exception notYet) {
                return null;
            }
        }, SCAN, "the encoder to show its scan's progress");
        assertEquals("scan", scanning.at("/progress/phase").asText(), scanning.toString());
        ProcessHandle.of(stack.pid(victim)).orElseThrow().destroyForcibly();
        // Its scan process notices (stdin closes) and stops too.
        RunningStack.await(() -> scanProcess(sha) == null ? true : null, Duration.ofSeconds(30), "the orphaned scan to stop");

        Map<String, Object> scan = stack.awaitScan(sha, SCAN).get(0);
        assertEquals("completed", scan.get("status"), scan.toString());
        String survivor = victim.endsWith("0") ? "detector-worker-1" : "detector-worker-0";
        Matcher m = Pattern.compile("scan \\w+ of " + sha + ": (clean|trojaned)").matcher(stack.log(survivor));
        assertTrue(m.find(), "the surviving worker finished the scan");
        assertEquals(1, stack.scansOf(sha).size());
    }

    @Test
    @Order(9)
    void aWorkerStoppedMidScanFinishesItBeforeExiting() throws Exception {
        Path model = distinctCopy(clean, "drained");
        String sha = registered(stack.client.upload(model, "photos", false), 202);
        String worker = RunningStack.await(() -> workerScanning(sha, "drained.pt"), SCAN, "a live worker to start scanning " + sha);
        ProcessHandle process = ProcessHandle.of(stack.pid(worker)).orElseThrow();
        process.destroy(); // SIGTERM, as a scale-down or a rollout sends
        process.onExit().get(3, java.util.concurrent.TimeUnit.MINUTES);

        Map<String, Object> scan = stack.awaitScan(sha, Duration.ofMinutes(1)).get(0);
        assertEquals("completed", scan.get("status"), scan.toString());
        assertTrue(Pattern.compile("scan \\w+ of " + sha + ": (clean|trojaned)").matcher(stack.log(worker)).find(),
                "the stopped worker finished its scan before exiting");
        assertTrue(stack.log(worker).contains("waiting for 1 scan(s) in flight"));
    }

    @Test
    @Order(8)
    void modelsPutStraightIntoTheBucketAreRegisteredByNotificationOrByTheReconciler() throws Exception {
        Path notified = TorchScriptFixtures.withForward(work.resolve("models/notified.pt"), """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.sigmoid(torch.avg_pool2d(x0, [4, 4])), 1)
                """);
        Path listed = TorchScriptFixtures.withForward(work.resolve("models/listed.pt"), """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.sigmoid(torch.avg_pool2d(x0, [8, 8])), 1)
                """);
        Path spec = clean.resolveSibling("clean.json");
        // The spec first, then the model, as a pipeline copying into the bucket would.
        stack.store.upload("incoming/notified.json", spec, "application/json", Map.of());
        stack.store.upload("incoming/notified.pt", notified, "application/zip", Map.of());
        stack.store.upload("incoming/listed.json", spec, "application/json", Map.of());
        stack.store.upload("incoming/listed.pt", listed, "application/zip", Map.of());
        // What MinIO publishes to Kafka for an upload (S3 event JSON; keys URL-encoded).
        String etag = stack.store.stat("incoming/notified.pt").orElseThrow().etag();
        stack.produce(Topics.BUCKET_NOTIFICATIONS, stack.store.bucket() + "/incoming/notified.pt", """
                {"EventName":"s3:ObjectCreated:CompleteMultipartUpload","Key":"%s/incoming/notified.pt","Records":[{
                  "eventVersion":"2.0","eventSource":"minio:s3","eventName":"s3:ObjectCreated:CompleteMultipartUpload",
                  "s3":{"s3SchemaVersion":"1.0","bucket":{"name":"%s"},
                        "object":{"key":"incoming%%2Fnotified.pt","size":%d,"eTag":"%s"}}}]}
                """.formatted(stack.store.bucket(), stack.store.bucket(), Files.size(notified), etag));
        stack.produce(Topics.BUCKET_NOTIFICATIONS, "junk", "{\"no\":\"records\"}");

        String notifiedSha = io.decree.scan.EncoderFile.sha256(notified);
        String listedSha = io.decree.scan.EncoderFile.sha256(listed);
        assertEquals("completed", stack.awaitScan(notifiedSha, SCAN).get(0).get("status"));
        assertEquals("completed", stack.awaitScan(listedSha, SCAN).get(0).get("status"));
        String ingest = stack.log("ingest-service");
        assertTrue(ingest.contains("by bucket-notification:incoming/notified.pt"), "registered from the notification");
        assertTrue(ingest.contains("by reconciler:incoming/listed.pt"), "registered by the reconciler");
        assertEquals(1, stack.readAll(Topics.deadLetter(Topics.BUCKET_NOTIFICATIONS)).size(), "the junk notification is dead-lettered");
    }

    @Test
    @Order(10)
    void everyRoleGets401Or403Or2xxAsItShould() throws Exception {
        String sha = io.decree.scan.EncoderFile.sha256(clean);
        Map<String, IngestClient> callers = new java.util.LinkedHashMap<>();
        callers.put("none", RunningStack.client(null));
        callers.put("wrong", RunningStack.client("not-a-key"));
        callers.put("uploader", RunningStack.client(RunningStack.UPLOADER_KEY));
        callers.put("reader", RunningStack.client(RunningStack.READER_KEY));
        callers.put("admin", RunningStack.client(RunningStack.ADMIN_KEY));
        // expected status per caller: upload, read, admin rescan
        Map<String, List<Integer>> expected = Map.of(
                "none", List.of(401, 401, 401),
                "wrong", List.of(401, 401, 401),
                "uploader", List.of(200, 403, 403),
                "reader", List.of(403, 200, 403),
                "admin", List.of(200, 200, 202));
        StringBuilder got = new StringBuilder();
        boolean ok = true;
        for (var c : callers.entrySet()) {
            List<Integer> statuses = List.of(
                    c.getValue().upload(clean, "photos", false).status(),
                    c.getValue().report("/api/scans?size=1").status(),
                    c.getValue().postIngest("/api/encoders/" + sha + "/rescan").status());
            got.append(c.getKey()).append(' ').append(statuses).append('\n');
            ok &= statuses.equals(expected.get(c.getKey()));
        }
        assertTrue(ok, "upload / read / rescan statuses:\n" + got);
        IngestClient uploader = callers.get("uploader");
        IngestClient.Answer forced = uploader.upload(clean, "photos", true);
        assertEquals(403, forced.status(), "rescan=true on upload is the admin right it is on POST .../rescan: " + forced.body());
        assertTrue(forced.body().contains("admin right"), forced.body());
        IngestClient.Answer tooLong = uploader.post(Map.of("file", new IngestClient.NamedFile(clean, "n".repeat(300) + ".pt"),
                "shadowImages", "photos"));
        assertEquals(400, tooLong.status(), tooLong.body());
        assertTrue(tooLong.body().contains("over the limit of 255"), tooLong.body());
        // Health stays open for probes.
        assertEquals(200, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + (RunningStack.HTTP + 1) + "/q/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    @Order(11)
    void aCredentialOverItsRateLimitGets429AndOthersAreUnaffected() throws Exception {
        Path junk = work.resolve("models/not-a-model.pt");
        Files.createDirectories(junk.getParent());
        Files.writeString(junk, "not a model");
        IngestClient burst = RunningStack.client(RunningStack.BURST_KEY);
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i <= RunningStack.BURST_LIMIT; i++) {
            statuses.add(burst.upload(junk, "photos", false).status());
        }
        IngestClient.Answer over = burst.upload(junk, "photos", false);
        List<Integer> expected = new java.util.ArrayList<>(java.util.Collections.nCopies(RunningStack.BURST_LIMIT, 422));
        expected.add(429);
        assertEquals(expected, statuses, "junk counts against the allowance too; the one over it is refused");
        assertEquals(429, over.status());
        assertTrue(over.body().contains("retry after"), over.body());
        assertEquals(422, RunningStack.client(RunningStack.UPLOADER_KEY).upload(junk, "photos", false).status(),
                "another credential still gets its answer");
    }

    @Test
    @Order(12)
    void reportPagesShowAPersonTheVerdictAndTheRecoveredTrigger() throws Exception {
        Path driver = Path.of(System.getProperty("decree.chromedriver", "/usr/bin/chromedriver"));
        Path chromium = Path.of(System.getProperty("decree.chromium", "/usr/bin/chromium"));
        SharedData.require(Files.isExecutable(driver) && Files.isExecutable(chromium),
                "no headless browser here (apt-get install chromium chromium-driver)");
        String badSha = io.decree.scan.EncoderFile.sha256(trojaned);
        String cleanSha = io.decree.scan.EncoderFile.sha256(clean);
        String base = "http://127.0.0.1:" + (RunningStack.HTTP + 1);
        Path shots = work.getParent().resolve("screenshots");
        Files.createDirectories(shots);
        var options = new org.openqa.selenium.chrome.ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1500");
        var service = new org.openqa.selenium.chrome.ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        org.openqa.selenium.WebDriver browser = new org.openqa.selenium.chrome.ChromeDriver(service, options);
        try {
            var wait = new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20));
            // Without a key a person is sent to sign in, and back to the page afterwards.
            browser.get(base + "/encoders/" + badSha);
            assertTrue(browser.getCurrentUrl().contains("/login"), browser.getCurrentUrl());
            browser.findElement(org.openqa.selenium.By.id("key")).sendKeys("not-a-key");
            browser.findElement(org.openqa.selenium.By.id("sign-in")).click();
            // The refusal comes back from the server: wait for it (looking at once raced it, stop 39); the wait fails
            // the test with a TimeoutException when it never shows.
            wait.until(d -> d.findElements(org.openqa.selenium.By.id("login-error")).stream()
                    .anyMatch(org.openqa.selenium.WebElement::isDisplayed));
            browser.findElement(org.openqa.selenium.By.id("key")).sendKeys(RunningStack.READER_KEY);
            browser.findElement(org.openqa.selenium.By.id("sign-in")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("/encoders/" + badSha));

            assertEquals("trojaned", browser.findElement(org.openqa.selenium.By.id("verdict")).getText());
            // The latest scan is the differential one (Order 3): the page says it was judged alone, and against which base.
            assertTrue(browser.findElement(org.openqa.selenium.By.id("pl1-comparison")).getText().matches(
                            "PL1 0\\.\\d+ < threshold 0\\.0150 \\(judged alone: it embeds the images unlike base "
                                    + cleanSha.substring(0, 12) + "\\)"),
                    browser.findElement(org.openqa.selenium.By.id("pl1-comparison")).getText());
            for (String img : List.of("evidence-trigger", "evidence-mask", "evidence-pattern", "evidence-stamped")) {
                var el = browser.findElement(org.openqa.selenium.By.id(img));
                Object width = wait.until(d -> {
                    Object w = ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                            "return arguments[0].complete ? arguments[0].naturalWidth : null", el);
                    return w;
                });
                assertTrue(((Number) width).intValue() > 0, img + " did not load");
            }
            assertEquals(1, browser.findElements(org.openqa.selenium.By.cssSelector("#similarity-curve polyline.sim")).size(),
                    "the optimisation curve is drawn");
            assertTrue(browser.findElement(org.openqa.selenium.By.id("history")).getText().contains("completed"));
            Files.write(shots.resolve("encoder-trojaned.png"), ((org.openqa.selenium.TakesScreenshot) browser)
                    .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

            // The list filters by verdict and finds an encoder by SHA-256 prefix.
            browser.get(base + "/scans?verdict=trojaned");
            String trojanedList = browser.findElement(org.openqa.selenium.By.id("scans")).getText();
            assertTrue(trojanedList.contains(badSha.substring(0, 12)) && !trojanedList.contains(cleanSha.substring(0, 12)),
                    trojanedList);
            browser.get(base + "/scans?q=" + cleanSha.substring(0, 10));
            String found = browser.findElement(org.openqa.selenium.By.id("scans")).getText();
            assertTrue(found.contains(cleanSha.substring(0, 12)) && !found.contains(badSha.substring(0, 12)), found);

            // The distribution: every scanned encoder a dot, the trojaned one red, below the threshold line.
            browser.get(base + "/distribution");
            assertTrue(browser.findElements(org.openqa.selenium.By.cssSelector("#pl1-distribution circle")).size() >= 2);
            assertTrue(browser.findElements(org.openqa.selenium.By.cssSelector("#pl1-distribution circle.dot-trojaned")).size() >= 1);
            Files.write(shots.resolve("distribution.png"), ((org.openqa.selenium.TakesScreenshot) browser)
                    .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    @Test
    @Order(13)
    void aWorkerOfANewDetectorRescansWhatTheOldOneJudgedWhileUploadsAreServed() throws Exception {
        // The stack's workers (detector A) are gone (tests 7 and 9). Detector B is A with its threshold 1.5x the smallest
        // clean PL1 of A's plain verdicts: that encoder (and its byte-distinct copies) should turn trojaned.
        List<Map<String, Object>> latest = stack.rows("""
                SELECT DISTINCT ON (sha256, base_model) sha256, base_model, verdict, pl1_norm, detector_id FROM scan
                WHERE status = 'completed' ORDER BY sha256, base_model, completed_at DESC""");
        List<Double> cleanPl1 = latest.stream().filter(r -> r.get("base_model") == null && "clean".equals(r.get("verdict")))
                .map(r -> ((Number) r.get("pl1_norm")).doubleValue()).sorted().toList();
        assertTrue(!cleanPl1.isEmpty(), "clean verdicts to bring up to date: " + latest);
        double thresholdB = cleanPl1.get(0) * 1.5;
        long alertsBefore = stack.readAll(Topics.BACKDOOR_ALERTS).size();

        Process b = stack.startWorker("detector-worker-b", RunningStack.HTTP + 4,
                Map.of("DECREE_WORKER_SCAN_THRESHOLD", String.valueOf(thresholdB), "DECREE_WORKER_TORCH_THREADS", "2"));
        String detectorB = RunningStack.await(() -> {
            try {
                Matcher m = Pattern.compile("announced detector (\\w{12})").matcher(stack.log("detector-worker-b"));
                return m.find() ? m.group(1) : null;
            } catch (java.io.IOException e) {
                return null;
            }
        }, Duration.ofMinutes(2), "worker B to announce its detector");
        List<Map<String, Object>> owed = RunningStack.await(() -> {
            try {
                List<Map<String, Object>> r = stack.rows("SELECT sha256, base_model FROM rescan WHERE detector_id LIKE ?", detectorB + "%");
                return r.isEmpty() ? null : r;
            } catch (java.sql.SQLException e) {
                return null;
            }
        }, Duration.ofMinutes(1), "the rescans owed to B");
        assertEquals(latest.size(), owed.size(), "every encoder and kind A judged is owed a rescan: " + owed);

        // An upload while B works through them: served behind at most one rescan, not behind all of them.
        Path fresh = distinctCopy(clean, "fresh");
        String freshSha = registered(stack.client.upload(fresh, "photos", false), 202);
        Map<String, Object> freshScan = completed(stack.awaitScan(freshSha, SCAN));
        long answeredBefore = (Long) stack.rows("SELECT count(*) AS n FROM rescan WHERE answered_at IS NOT NULL "
                + "AND answered_at < (SELECT completed_at FROM scan WHERE sha256 = ?)", freshSha).get(0).get("n");
        assertTrue(answeredBefore < owed.size() - 1, "the upload waited for " + answeredBefore + " of " + owed.size() + " rescans");
        assertTrue(freshScan.get("detector_id").toString().startsWith(detectorB), "B judged the upload");

        RunningStack.await(() -> {
            try {
                return stack.rows("SELECT 1 FROM rescan WHERE detector_id LIKE ? AND answered_at IS NULL", detectorB + "%").isEmpty()
                        ? true : null;
            } catch (java.sql.SQLException e) {
                return null;
            }
        }, Duration.ofMinutes(owed.size() * 2L), "every rescan answered");
        List<VerdictChanged> changes = stack.readAll(Topics.VERDICT_CHANGES).stream()
                .map(r -> Events.parse(r.value(), VerdictChanged.class).data()).toList();
        int turned = 0;
        for (Map<String, Object> before : latest) {
            String sha = (String) before.get("sha256");
            List<Map<String, Object>> mine = stack.rows("SELECT status, verdict, pl1_norm, base_model FROM scan WHERE sha256 = ? "
                    + "AND detector_id LIKE '" + detectorB + "%' ORDER BY completed_at DESC", sha).stream()
                    .filter(r -> java.util.Objects.equals(r.get("base_model"), before.get("base_model"))).toList();
            // One owed rescan each; the clean encoder has a second scan by B, the admin's rescan of test 10 that waited
            // in the queue while no worker ran.
            assertTrue(!mine.isEmpty(), "a rescan of " + sha + " / " + before.get("base_model"));
            Map<String, Object> after = mine.get(0);
            assertEquals("completed", after.get("status"), after.toString());
            if (before.get("base_model") == null) {
                boolean below = ((Number) after.get("pl1_norm")).doubleValue() < thresholdB;
                assertEquals(below ? "trojaned" : "clean", after.get("verdict"), "B's threshold decides: " + after);
            }
            if (!before.get("verdict").equals(after.get("verdict"))) {
                turned++;
                assertTrue(changes.stream().anyMatch(c -> c.sha256().equals(sha) && c.previousVerdict().equals(before.get("verdict"))),
                        "a verdict change of " + sha + ": " + changes);
                if ("trojaned".equals(after.get("verdict"))) {
                    assertTrue(stack.readAll(Topics.BACKDOOR_ALERTS).stream().anyMatch(r -> r.value().contains(sha)), "its alert");
                }
            }
        }
        assertTrue(turned >= 1, "B's threshold turned the encoder with the smallest clean PL1 trojaned");
        assertTrue(stack.readAll(Topics.BACKDOOR_ALERTS).size() > alertsBefore, "an alert for it");
        String report = metrics(RunningStack.HTTP + 1);
        assertTrue(sum(report, "decree_rescans_requested_total") >= owed.size(), grep(report, "decree_rescans"));
        b.destroy();
        b.onExit().get(1, java.util.concurrent.TimeUnit.MINUTES);
    }

    // --- helpers

    /**
     * The upload of {@code sha} is one trace: the registration, the scan's result and the alert each carry its id, in the
     * event (traceparent, the span that raised it) and in the record's headers (the connector's publish span), and the
     * webhook's request continues it. Prints the trace's spans as the events and headers show them.
     */
    private void oneTraceFromTheUploadToTheWebhook(String sha, WebhookReceiver.Delivery hook) throws Exception {
        List<String> spans = new java.util.ArrayList<>();
        String trace = null;
        for (String topic : List.of(Topics.ENCODER_REGISTERED, Topics.SCAN_RESULTS, Topics.BACKDOOR_ALERTS)) {
            ConsumerRecord<String, String> first = stack.readAll(topic).stream().filter(r -> sha.equals(r.key())).findFirst().orElseThrow();
            var event = Events.parse(first.value());
            Header header = first.headers().lastHeader("traceparent");
            assertNotNull(event.traceparent(), topic + "'s event carries its trace: " + first.value());
            assertNotNull(header, topic + "'s record carries its trace in a header");
            String fromHeader = new String(header.value(), StandardCharsets.UTF_8);
            trace = trace == null ? event.traceId() : trace;
            assertEquals(trace, event.traceId(), topic + ": one trace from the upload on");
            assertEquals(trace, fromHeader.substring(3, 35), topic + "'s header: the same trace");
            spans.add(event.source() + " " + event.type().replace("io.decree.", "") + " raised in span " + event.traceparent().substring(36, 52)
                    + ", published in span " + fromHeader.substring(36, 52));
        }
        assertNotNull(hook.traceparent(), "the webhook request continues the trace");
        assertEquals(trace, hook.traceparent().substring(3, 35));
        spans.add("webhook delivery span " + hook.traceparent().substring(36, 52));
        System.out.println("trace " + trace + " of upload " + sha + ":\n  " + String.join("\n  ", spans));
    }

    /** The same model with other bytes: a new SHA-256, a real scan of tens of seconds. */
    private Path distinctCopy(Path model, String name) throws java.io.IOException {
        return ModelCopies.distinct(model, work.resolve("models/" + name + ".pt"), name);
    }

    /** The live worker whose log says it started scanning {@code sha} ({@code file}), or null so far. */
    private String workerScanning(String sha, String file) {
        for (String w : List.of("detector-worker-0", "detector-worker-1")) {
            try {
                if (stack.log(w).contains(sha + " (" + file + ") started") && ProcessHandle.of(stack.pid(w)).isPresent()) {
                    return w;
                }
            } catch (java.io.IOException notYet) {
                // the log is not written yet
            }
        }
        return null;
    }

    private long endOffsets() {
        try {
            return stack.endOffsets(Topics.SCAN_RESULTS);
        } catch (Exception e) {
            return -1;
        }
    }

    private static String registered(IngestClient.Answer a, int status) throws Exception {
        assertEquals(status, a.status(), a.body());
        return JSON.readTree(a.body()).get("sha256").asText();
    }

    private static Map<String, Object> completed(List<Map<String, Object>> rows) {
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("completed", rows.get(0).get("status"), rows.toString());
        return rows.get(0);
    }

    private List<BackdoorAlert> awaitAlerts(int atLeast) throws Exception {
        RunningStack.await(() -> {
            try {
                return stack.readAll(Topics.BACKDOOR_ALERTS).size() >= atLeast ? true : null;
            } catch (Exception e) {
                return null;
            }
        }, Duration.ofMinutes(1), atLeast + " alert(s)");
        // A second alert, if one were coming, is sent before report-service commits the result that raised it.
        stack.awaitConsumed(REPORT_GROUP, Topics.SCAN_RESULTS, Duration.ofMinutes(1));
        return stack.readAll(Topics.BACKDOOR_ALERTS).stream().map(r -> Events.parse(r.value(), BackdoorAlert.class).data()).toList();
    }

    private String workerLogs() throws Exception {
        return stack.log("detector-worker-0") + stack.log("detector-worker-1");
    }

    /** The running scan JVM of an encoder: the worker downloads it into a folder named by the scan id. */
    private ProcessHandle scanProcess(String sha) {
        String id = scanIdInLogs(sha);
        if (id == null) {
            return null;
        }
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("io.decree.cli.Decree scan")
                && p.info().commandLine().orElse("").contains(id)).findFirst().orElse(null);
    }

    private String scanIdInLogs(String sha) {
        try {
            Matcher m = Pattern.compile("scan (\\w+) of " + sha + " \\(").matcher(workerLogs());
            return m.find() ? m.group(1) : null;
        } catch (Exception e) {
            return null;
        }
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    @Order(6)
    // Before the tests that kill workers: a worker's counters live in its process.
    void eachServiceCountsWhatHappenedAtQMetrics() throws Exception {
        String ingest = metrics(RunningStack.HTTP);
        String report = metrics(RunningStack.HTTP + 1);
        String workers = metrics(RunningStack.HTTP + 2) + metrics(RunningStack.HTTP + 3);
        assertTrue(sum(ingest, "decree_uploads_total{status=\"202\"}") >= 2, "uploads registered:\n" + grep(ingest, "decree_uploads"));
        assertTrue(sum(ingest, "decree_uploads_total{status=\"422\"}") >= 1, "a text file refused:\n" + grep(ingest, "decree_uploads"));
        assertTrue(sum(workers, "decree_scans_total{outcome=\"trojaned\",reason=\"none\"}") >= 1, grep(workers, "decree_scans_total"));
        assertTrue(sum(workers, "decree_scans_total{outcome=\"failed\",reason=\"time-limit\"}") >= 1, grep(workers, "decree_scans_total"));
        assertTrue(sum(workers, "decree_scans_total{outcome=\"failed\",reason=\"crashed\"}") >= 1, grep(workers, "decree_scans_total"));
        assertTrue(sum(workers, "decree_dead_letters_total{topic=\"encoder-registered.dlq\"}") >= 1, grep(workers, "decree_dead"));
        assertTrue(workers.contains("decree_scan_duration_seconds_bucket{"), "scan durations as a histogram");
        assertTrue(workers.contains("decree_scans_in_flight"), "scans in hand");
        assertTrue(sum(report, "decree_scan_results_total{outcome=\"trojaned\",stored=\"true\"}") >= 1, grep(report, "decree_scan_results"));
        assertTrue(sum(report, "decree_alerts_sent_total") >= 1, grep(report, "decree_alerts"));
        assertTrue(sum(report, "decree_webhook_deliveries_total{result=\"delivered\"}") >= 1, grep(report, "decree_webhook"));
        // What an operator sees (the excerpt the docs quote).
        System.out.println("ingest-service /q/metrics:\n" + grep(ingest, "decree_") + "\ndetector-workers /q/metrics:\n"
                + grep(workers, "decree_scans_total") + "\n" + grep(workers, "decree_dead") + "\n" + grep(workers, "decree_scan_duration_seconds_count")
                + "\n" + grep(workers, "decree_scan_native_crash")
                + "\nreport-service /q/metrics:\n" + grep(report, "decree_"));
    }

    private static String metrics(int port) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of the samples whose line starts with {@code series} (a name, or a name with its first labels). */
    private static double sum(String exposition, String series) {
        String prefix = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
        return exposition.lines().filter(l -> l.startsWith(prefix) && (l.charAt(prefix.length()) == ' ' || l.charAt(prefix.length()) == ','
                        || l.charAt(prefix.length()) == '}' || l.charAt(prefix.length()) == '{'))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String grep(String exposition, String name) {
        return String.join("\n", exposition.lines().filter(l -> l.startsWith(name)).toList());
    }
}
