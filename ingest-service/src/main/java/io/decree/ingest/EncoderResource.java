package io.decree.ingest;

import io.decree.auth.CredentialRateLimit;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.OptionalLong;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /api/encoders} (role uploader): multipart {@code file} (TorchScript), optional {@code spec} JSON,
 * {@code shadowImages}, {@code rescan}, {@code baseModel}; {@code POST /api/encoders/{sha256}/rescan} (role admin).
 */
@Path("/api/encoders")
public class EncoderResource {

    @Inject
    Registrar registrar;

    @Inject
    CredentialRateLimit rateLimit;

    /** 429 with Retry-After once a credential has used its allowance; counted before any content check, so junk counts too. */
    private Response limited(String credential) {
        OptionalLong wait = rateLimit.acquire(credential);
        return wait.isEmpty() ? null : Response.status(429).header("Retry-After", wait.getAsLong())
                .entity(Registrar.Outcome.rejected("rate limit of " + credential + " reached; retry after " + wait.getAsLong() + " s"))
                .build();
    }

    /** Scan a registered encoder again (after a detector upgrade, or a retryable failure). */
    @POST
    @Path("/{sha256}/rescan")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "rescan requested", content = @Content(schema = @Schema(implementation = Registrar.Outcome.class)))
    @APIResponse(responseCode = "404", description = "no such encoder", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    @APIResponse(responseCode = "422", description = "baseModel is not another registered encoder", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    public Response rescan(@PathParam("sha256") String sha256, @QueryParam("shadowImages") String shadowImages,
            @QueryParam("baseModel") String baseModel, @Context SecurityContext caller) {
        Response slowDown = limited(caller.getUserPrincipal().getName());
        if (slowDown != null) {
            return slowDown;
        }
        if (!io.decree.events.ScanKey.isSha256(sha256)) {
            return Response.status(400).entity(Registrar.Outcome.rejected("sha256", "sha256 must be 64 lower-case hex digits")).build();
        }
        Registrar.Outcome out = registrar.rescan(sha256, shadowImages, blankToNull(baseModel), "admin:" + caller.getUserPrincipal().getName());
        return out == null ? Response.status(404).entity(Registrar.Outcome.rejected("no encoder " + sha256)).build()
                : "rejected".equals(out.status()) ? Response.status(422).entity(out).build()
                : Response.accepted(out).build();
    }

    /** Longest file name kept: it is shown in lists, pages and alerts (a 5,000-character one broke the scan list). */
    static final int MAX_NAME = 255;

    /** Why an uploaded file name cannot be kept, or null: missing, over {@link #MAX_NAME}, or with control characters. */
    static String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "the file part has no file name";
        }
        if (name.length() > MAX_NAME) {
            return "file name of " + name.length() + " characters is over the limit of " + MAX_NAME;
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            return "file name contains control characters (CR, LF, ...)";
        }
        return null;
    }

    @POST
    @RolesAllowed({"uploader", "admin"})
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "registered; a scan is requested", content = @Content(schema = @Schema(implementation = Registrar.Outcome.class)))
    @APIResponse(responseCode = "200", description = "these bytes are registered already", content = @Content(schema = @Schema(implementation = Registrar.Outcome.class)))
    @APIResponse(responseCode = "400", description = "no file part, or a file name over 255 characters or with control characters", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    @APIResponse(responseCode = "403", description = "rescan=true without the admin role", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    @APIResponse(responseCode = "413", description = "over decree.ingest.max-upload-bytes", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    @APIResponse(responseCode = "422", description = "not a TorchScript archive, a bad input spec, or a baseModel that is not another registered encoder", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    @APIResponse(responseCode = "429", description = "over this credential's rate limit (Retry-After)", content = @Content(mediaType = Problems.MEDIA_TYPE, schema = @Schema(implementation = Problems.Problem.class)))
    public Response upload(@RestForm("file") FileUpload file, @RestForm("spec") String spec,
            @RestForm("shadowImages") String shadowImages, @RestForm("rescan") @DefaultValue("false") boolean rescan,
            @RestForm("baseModel") String baseModel, @Context SecurityContext caller) {
        Response r = accept(file, spec, shadowImages, rescan, blankToNull(baseModel), caller);
        // decree_uploads_total{status}: registered (202), known (200), and every refusal by its status.
        registry.counter("decree.uploads", "status", String.valueOf(r.getStatus())).increment();
        return r;
    }

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private Response accept(FileUpload file, String spec, String shadowImages, boolean rescan, String baseModel, SecurityContext caller) {
        String submitter = caller.getUserPrincipal() == null ? "anonymous" : caller.getUserPrincipal().getName();
        Response slowDown = limited(submitter);
        if (slowDown != null) {
            return slowDown;
        }
        if (file == null || file.uploadedFile() == null) {
            return Response.status(400).entity(Registrar.Outcome.rejected("file", "multipart field 'file' (the TorchScript model) is missing")).build();
        }
        String nameProblem = nameProblem(file.fileName());
        if (nameProblem != null) {
            return Response.status(400).entity(Registrar.Outcome.rejected("file", nameProblem)).build();
        }
        if (rescan && !caller.isUserInRole("admin")) {
            // Forcing a new scan of a known model costs a worker an hour: the same right as POST .../rescan.
            return Response.status(403).entity(Registrar.Outcome.rejected("rescan", "rescan=true is an admin right; upload without it, "
                    + "or ask an admin to POST /api/encoders/{sha256}/rescan")).build();
        }
        if (file.size() > registrar.maxUploadBytes()) {
            return Response.status(413).entity(Registrar.Outcome.rejected("file", "file of " + file.size()
                    + " bytes is over the limit of " + registrar.maxUploadBytes())).build();
        }
        Registrar.Outcome out = registrar.register(file.uploadedFile(), file.fileName(), spec, shadowImages,
                "upload:" + submitter.replaceAll("[^A-Za-z0-9._@-]", "_"), rescan, baseModel);
        return switch (out.status()) {
            case "rejected" -> Response.status(out.reason().contains("over the limit") ? 413 : 422).entity(out).build();
            case "already-registered" -> Response.ok(out).build();
            default -> Response.accepted(out).build();
        };
    }
}
