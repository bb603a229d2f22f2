package io.decree.report.pages;

import io.decree.contract.EvidenceFiles;
import io.decree.contract.ScanSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.auth.ApiKeyMechanism;
import io.decree.report.EncoderEntity;
import io.decree.report.Evidence;
import io.decree.report.ScanEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The report pages, rendered on the server (Qute): the list of scans, one page per encoder (verdict, PL1 against
 * the threshold, the recovered mask, pattern, trigger and stamped examples, the optimisation curve, the scan
 * history), and the PL1 distribution of every scanned encoder. Same read policy as the JSON API.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class Pages {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int PAGE_SIZE = 50;

    @Inject
    Evidence evidence;

    @Inject
    ApiKeyMechanism keys;

    @ConfigProperty(name = "decree.auth.secure-cookie", defaultValue = "true")
    boolean secureCookie;

    /** A scan as a row of the list or the history. */
    public record Row(String sha256, String name, String scanId, String status, String verdict, Double pl1, Double threshold,
            OffsetDateTime completedAt, String reason, Double seconds) {
        static Row of(ScanEntity s, String name) {
            return new Row(s.sha256, name, s.scanId, s.status, s.verdict, s.pl1Norm, s.threshold, s.completedAt, s.reason,
                    s.seconds);
        }

        public String shortSha() {
            return sha256.substring(0, 12);
        }

        public String pl1Text() {
            return pl1 == null ? "–" : String.format(java.util.Locale.ROOT, "%.4f", pl1);
        }

        public String thresholdText() {
            return threshold == null ? "–" : String.format(java.util.Locale.ROOT, "%.4f", threshold);
        }

        public String secondsText() {
            return seconds == null ? "–" : String.format(java.util.Locale.ROOT, "%.1f", seconds);
        }

        public String label() {
            return verdict != null ? verdict : status;
        }
    }

    /** An evidence image of the encoder page. */
    public record Image(String id, String file, String caption, boolean wide) {
        static Image of(String file) {
            String stem = file.replace(".png", "");
            return new Image("evidence-" + stem, file, stem, file.equals("stamped.png"));
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance scans(List<Row> rows, String verdict, String q, int pageNumber, int previous, int next,
                long total, boolean more);

        static native TemplateInstance encoder(String sha256, String name, OffsetDateTime firstSeen, Row latest, List<Row> history,
                List<Image> images, String curve, String comparison, String running);

        static native TemplateInstance distribution(String chart, int count, long flagged, String threshold);

        static native TemplateInstance login(String next, String error);
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/scans")).build();
    }

    @GET
    @Path("scans")
    public Uni<TemplateInstance> scans(@QueryParam("verdict") String verdict, @QueryParam("q") String q,
            @QueryParam("page") Integer page) {
        int p = page == null ? 0 : Math.max(0, page);
        if (verdict != null && !verdict.isEmpty() && !verdict.equals("clean") && !verdict.equals("trojaned")) {
            throw new BadRequestException("verdict is clean or trojaned");
        }
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (verdict != null && !verdict.isEmpty()) {
            where.append(" and verdict = :verdict");
            params.and("verdict", verdict);
        }
        String search = q == null ? "" : q.strip().toLowerCase(java.util.Locale.ROOT);
        if (!search.isEmpty()) {
            // A search matches a SHA-256 prefix or a part of the encoder's name.
            where.append(" and (sha256 like :prefix or sha256 in (select e.sha256 from EncoderEntity e where lower(e.name) like :name))");
            params.and("prefix", search.replaceAll("[^0-9a-f]", "") + "%").and("name", "%" + search.replace("%", "") + "%");
        }
        return Panache.withSession(() -> {
            var query = ScanEntity.<ScanEntity>find(where.toString(), Sort.descending("completedAt"), params).page(Page.of(p, PAGE_SIZE));
            return query.list().chain(scans -> names(scans.stream().map(s -> s.sha256).toList())
                    .chain(names -> query.count().map(total -> Templates.scans(
                            scans.stream().map(s -> Row.of(s, names.get(s.sha256))).toList(),
                            verdict == null ? "" : verdict, q == null ? "" : q, p + 1, p - 1, p + 1, total,
                            (long) (p + 1) * PAGE_SIZE < total))));
        });
    }

    /** An encoder, its scans and its running scan's progress (or null). */
    private record Found(EncoderEntity encoder, List<ScanEntity> scans, io.decree.report.ScanProgressEntity running) {
    }

    @jakarta.inject.Inject
    io.decree.report.Progress progress;

    @GET
    @Path("encoders/{sha256}")
    public Uni<TemplateInstance> encoder(@PathParam("sha256") String sha256) {
        if (!io.decree.events.ScanKey.isSha256(sha256)) {
            throw new BadRequestException("sha256 must be 64 lower-case hex digits");
        }
        // The session ends before the (blocking) evidence read: a reactive session is bound to its thread.
        return Panache.withSession(() -> EncoderEntity.<EncoderEntity>findById(sha256)
                        .onItem().ifNull().failWith(() -> new NotFoundException("no encoder " + sha256))
                        .chain(e -> ScanEntity.<ScanEntity>list("sha256", Sort.descending("completedAt"), sha256)
                                .chain(scans -> progress.running(sha256).map(p -> new Found(e, scans, p)))))
                .chain(found -> {
                    EncoderEntity e = found.encoder();
                    List<Row> history = found.scans().stream().map(s -> Row.of(s, e.name)).toList();
                    ScanEntity latest = found.scans().stream().filter(s -> "completed".equals(s.status)).findFirst()
                            .orElse(found.scans().isEmpty() ? null : found.scans().get(0));
                    Row latestRow = latest == null ? null : Row.of(latest, e.name);
                    String reportKey = latest == null ? null : latest.evidenceKey(EvidenceFiles.REPORT);
                    Uni<String> curve = reportKey == null ? Uni.createFrom().item("")
                            : evidence.text(reportKey).map(Pages::curveOf).onFailure().recoverWithItem("");
                    List<Image> images = latest == null ? List.of() : EvidenceFiles.IMAGES.stream().filter(f -> latest.evidenceKey(f) != null).map(Image::of).toList();
                    String running = found.running() == null ? null : found.running().text();
                    return curve.map(svg -> Templates.encoder(e.sha256, e.name, e.firstSeen, latestRow, history, images, svg,
                            comparison(latest), running));
                });
    }

    @GET
    @Path("distribution")
    public Uni<TemplateInstance> distribution() {
        return Panache.withSession(() -> ScanEntity.<ScanEntity>list("status = 'completed'", Sort.descending("completedAt"))
                .chain(scans -> {
                    // Each encoder once, at its latest completed scan.
                    Map<String, ScanEntity> latest = new java.util.LinkedHashMap<>();
                    scans.forEach(s -> latest.putIfAbsent(s.sha256, s));
                    return names(new ArrayList<>(latest.keySet())).map(names -> {
                        List<Charts.Point> points = latest.values().stream()
                                .map(s -> new Charts.Point(s.sha256, names.get(s.sha256), s.pl1Norm, s.verdict)).toList();
                        double threshold = latest.values().stream().findFirst().map(s -> s.threshold)
                                .orElse(ScanSettings.DEFAULTS.threshold());
                        long flagged = points.stream().filter(pt -> "trojaned".equals(pt.verdict())).count();
                        return Templates.distribution(Charts.distribution(points, threshold), points.size(), flagged,
                                String.format(java.util.Locale.ROOT, "%.4f", threshold));
                    });
                }));
    }

    @GET
    @Path("login")
    public TemplateInstance login(@QueryParam("next") String next) {
        return Templates.login(safeNext(next), null);
    }

    /** Checks the key and keeps it in an HttpOnly, SameSite=Strict cookie, which counts for page and image reads only. */
    @POST
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public Response doLogin(@FormParam("key") String key, @FormParam("next") String next) {
        if (key == null || !keys.knows(key.strip())) {
            return Response.status(401).entity(Templates.login(safeNext(next), "That is not a valid API key.")).build();
        }
        NewCookie cookie = new NewCookie.Builder(ApiKeyMechanism.COOKIE).value(key.strip()).path("/").httpOnly(true)
                .secure(secureCookie).sameSite(NewCookie.SameSite.STRICT).maxAge(8 * 3600).build();
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie).build();
    }

    /** Only a local path: a login must not redirect anywhere else. */
    static String safeNext(String next) {
        return next != null && next.matches("/[A-Za-z0-9/_.?=&%-]*") && !next.startsWith("//") ? next : "/scans";
    }

    private static Uni<Map<String, String>> names(List<String> shas) {
        if (shas.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return EncoderEntity.<EncoderEntity>list("sha256 in ?1", shas)
                .map(list -> list.stream().collect(Collectors.toMap(e -> e.sha256, e -> e.name == null ? "" : e.name, (a, b) -> a)));
    }

    static String comparison(ScanEntity s) {
        if (s == null || s.pl1Norm == null || s.threshold == null) {
            return "";
        }
        String plain = String.format(java.util.Locale.ROOT, "PL1 %.4f %s threshold %.4f", s.pl1Norm, s.pl1Norm < s.threshold ? "<" : "≥",
                s.threshold);
        if (s.baseModel == null || s.score == null) {
            return plain;
        }
        // A differential scan: say against what. A contrasted trigger is one that leaves the base apart; under the base
        // ratio its threshold is a multiple of the base's own smallest trigger, under the reference ratio a share of the
        // base's accepted PL1.
        String base = s.baseModel.substring(0, 12);
        if ("pl1".equals(s.rule) || "accepted-pl1".equals(s.rule)) {
            // Named a base, judged alone: the model embeds the shadow images unlike it (ScanSettings.BASE_AGREEMENT).
            return plain + String.format(java.util.Locale.ROOT, " (judged alone: it embeds the images unlike base %s)", base);
        }
        if (io.decree.contract.ScanSettings.BASE_CONTRAST.equals(s.rule)) {
            return plain + String.format(java.util.Locale.ROOT, " (a trigger that leaves base %s apart)", base);
        }
        return io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO.equals(s.rule)
                ? plain + String.format(java.util.Locale.ROOT, " (a trigger that leaves base %s apart, %.2fx the base's own smallest)",
                        base, s.score)
                : plain + String.format(java.util.Locale.ROOT, " (%.2fx the accepted PL1 of base %s)", s.score, base);
    }

    static String curveOf(String reportJson) {
        try {
            JsonNode report = JSON.readTree(reportJson);
            List<Charts.Step> steps = new ArrayList<>();
            for (JsonNode n : report.path("curve")) {
                steps.add(new Charts.Step(n.path("step").asInt(), n.path("similarity").asDouble(), n.path("pl1").asDouble()));
            }
            double target = report.path("config").path("similarityTarget").asDouble(0.99);
            return Charts.curve(steps, target);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
