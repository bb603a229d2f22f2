package io.decree.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Every refusal leaves as an RFC 9457 problem ({@code application/problem+json}, {@link Problem}). A 4xx of the REST
 * layer without a body gets one with its title, and for 401/403 what to do. (A key that is not configured is refused
 * before the REST layer, by decree-auth's mechanism, with a problem of its own.)
 */
@Provider
public class Problems implements ContainerResponseFilter {
    static final String MEDIA_TYPE = "application/problem+json";

    /**
     * @param detail the reason, for a person
     * @param field  the form field or parameter at fault, when one is
     * @param reason the same as {@code detail}: what clients of the first API version read
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(String type, String title, int status, String detail, String field, String reason) {
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        if (status < 400 || status >= 500) {
            return;
        }
        Object entity = response.getEntity();
        Registrar.Outcome refusal = entity instanceof Registrar.Outcome o && "rejected".equals(o.status()) ? o : null;
        if (entity != null && refusal == null) {
            return; // a body of its own (never the case for decree's refusals)
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type != null ? type.getReasonPhrase() : "Client Error";
        String detail = refusal != null ? refusal.reason()
                // The endpoint's role check: no key (401), or a key whose role may not do this (403).
                : status == 401 ? "no API key: send X-API-Key or Authorization: Bearer"
                : status == 403 ? "this API key's role may not do this (uploads: uploader; rescans: admin)" : null;
        response.setEntity(new Problem("about:blank", title, status, detail, refusal == null ? null : refusal.field(),
                refusal == null ? null : refusal.reason()), null, MediaType.valueOf(MEDIA_TYPE));
    }
}
