package io.decree.report;

import io.decree.contract.EvidenceFiles;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Read side: one encoder with its scan history, and the list of scans (filtered, paginated). A refusal (400) or a
 * missing encoder, scan or file (404) is answered as an RFC 9457 problem that says why.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ReportResource {

    @ConfigProperty(name = "decree.report.page-size")
    int defaultPageSize;
    @ConfigProperty(name = "decree.report.max-page-size")
    int maxPageSize;

    /**
     * @param state    {@code scanning} while a worker reports progress on it, else {@code queued} (registered, no result
     *                 yet) or the latest scan's status: {@code completed} or {@code failed}
     * @param progress where the running scan is ({@code scanning} only; a rescan runs beside earlier verdicts), else null
     */
    public record EncoderView(String sha256, String name, OffsetDateTime firstSeen, String state, String latestVerdict,
            ScanProgressEntity progress, List<ScanEntity> scans) {
    }

    @Inject
    Progress progress;

    public record ScanPage(int page, int size, long total, List<ScanEntity> items) {
    }

    @GET
    @Path("/encoders/{sha256}")
    @WithSession
    @APIResponse(responseCode = "200", description = "the encoder, its state and its scans, latest first")
    @APIResponse(responseCode = "400", description = "not a SHA-256", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "no such encoder", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public Uni<EncoderView> encoder(@PathParam("sha256") String sha256) {
        if (!io.decree.events.ScanKey.isSha256(sha256)) {
            throw new BadRequestException(problem("sha256 must be 64 lower-case hex digits"));
        }
        return EncoderEntity.<EncoderEntity>findById(sha256)
                .onItem().ifNull().failWith(() -> new NotFoundException("no encoder " + sha256))
                .chain(e -> ScanEntity.<ScanEntity>list("sha256", Sort.descending("completedAt"), sha256)
                        .chain(scans -> progress.running(sha256).map(p -> new EncoderView(e.sha256, e.name, e.firstSeen,
                                p != null ? "scanning" : scans.isEmpty() ? "queued" : scans.get(0).status,
                                scans.stream().filter(s -> s.verdict != null).map(s -> s.verdict).findFirst().orElse(null), p, scans))));
    }

    @Inject
    Evidence evidence;

    /** The scan as SARIF 2.1.0 (written by the detector beside its other evidence), for code-scanning tools. */
    @GET
    @Path("/scans/{scanId}/sarif")
    @Produces("application/sarif+json")
    @APIResponse(responseCode = "200", description = "SARIF 2.1.0", content = @Content(mediaType = "application/sarif+json", schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", description = "not a scan id", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "no such scan, or a scan without a result (failed)", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> sarif(@PathParam("scanId") String scanId) {
        if (!scanId.matches("[0-9a-f]{32}")) {
            throw new BadRequestException(problem("a scan id is 32 hex digits"));
        }
        // The session ends before the (blocking) read from the bucket: a reactive session is bound to its thread.
        return Panache.withSession(() -> ScanEntity.<ScanEntity>findById(scanId))
                .onItem().ifNull().failWith(() -> new NotFoundException("no scan " + scanId))
                .chain(scan -> {
                    String key = scan.evidenceKey("scan.sarif");
                    if (key == null) {
                        return Uni.createFrom().failure(new NotFoundException("scan " + scanId + " has no SARIF (status "
                                + scan.status + ")"));
                    }
                    return evidence.text(key).map(body -> Response.ok(body, "application/sarif+json").build());
                });
    }

    /** One evidence file of a scan: the recovered mask, pattern, trigger, stamped examples, or report.json. */
    @GET
    @Path("/scans/{scanId}/evidence/{file}")
    @APIResponse(responseCode = "200", description = "the file: PNG images, report.json",
            content = {@Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT))})
    @APIResponse(responseCode = "400", description = "not a scan id, or not an evidence file's name", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "no such scan, or the scan left no such file", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> evidenceFile(@PathParam("scanId") String scanId, @PathParam("file") String file) {
        String type = EVIDENCE_TYPES.get(file);
        if (!scanId.matches("[0-9a-f]{32}") || type == null) {
            throw new BadRequestException(problem("a scan id is 32 hex digits; evidence files are " + EVIDENCE_TYPES.keySet()));
        }
        return Panache.withSession(() -> ScanEntity.<ScanEntity>findById(scanId))
                .onItem().ifNull().failWith(() -> new NotFoundException("no scan " + scanId))
                .chain(scan -> {
                    String key = scan.evidenceKey(file);
                    if (key == null) {
                        return Uni.createFrom().failure(new NotFoundException("scan " + scanId + " has no " + file));
                    }
                    return evidence.bytes(key).map(body -> Response.ok(body, type).build());
                });
    }

    private static final java.util.Map<String, String> EVIDENCE_TYPES = EvidenceFiles.ALL.stream()
            .collect(java.util.stream.Collectors.toMap(f -> f, EvidenceFiles::contentType));

    static final String PROBLEM = "application/problem+json";

    /** RFC 9457 problem details: what the API answers when it refuses or finds nothing. */
    public record Problem(String type, String title, int status, String detail) {
    }

    /** A 400 answer that says what was wrong (a bare BadRequestException has no body). */
    static Response problem(String detail) {
        return Response.status(400).type(PROBLEM).entity(new Problem("about:blank", "Bad Request", 400, detail)).build();
    }

    /** A 404 says what is missing (the exception's message), as a 400 says what is wrong. */
    @ServerExceptionMapper
    Response notFound(NotFoundException e) {
        return Response.status(404).type(PROBLEM).entity(new Problem("about:blank", "Not Found", 404, e.getMessage())).build();
    }

    @GET
    @Path("/scans")
    @WithSession
    @APIResponse(responseCode = "200", description = "a page of scans, latest first")
    @APIResponse(responseCode = "400", description = "a filter or page out of range", content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public Uni<ScanPage> scans(@QueryParam("verdict") String verdict, @QueryParam("status") String status,
            @QueryParam("since") String since, @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        int p = page == null ? 0 : page;
        int n = size == null ? defaultPageSize : size;
        if (p < 0 || n < 1 || n > maxPageSize) {
            throw new BadRequestException(problem("page >= 0 and 1 <= size <= " + maxPageSize));
        }
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (verdict != null) {
            if (!verdict.equals("clean") && !verdict.equals("trojaned")) {
                throw new BadRequestException(problem("verdict is clean or trojaned"));
            }
            q.append(" and verdict = :verdict");
            params.and("verdict", verdict);
        }
        if (status != null) {
            if (!status.equals("completed") && !status.equals("failed")) {
                throw new BadRequestException(problem("status is completed or failed"));
            }
            q.append(" and status = :status");
            params.and("status", status);
        }
        if (since != null) {
            try {
                params.and("since", OffsetDateTime.parse(since));
            } catch (DateTimeParseException e) {
                throw new BadRequestException(problem("since is an ISO-8601 time with offset, e.g. 2026-11-25T00:00:00Z"));
            }
            q.append(" and completedAt >= :since");
        }
        var query = ScanEntity.<ScanEntity>find(q.toString(), Sort.descending("completedAt"), params).page(Page.of(p, n));
        return query.list().chain(items -> query.count().map(total -> new ScanPage(p, n, total, items)));
    }
}
