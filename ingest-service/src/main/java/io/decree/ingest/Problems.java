package io.decree.ingest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every refusal leaves as an RFC 9457 problem ({@code application/problem+json}): {@code type}, {@code title},
 * {@code status}, {@code detail} (the reason), {@code field} (the form field or parameter at fault, when one is), and
 * {@code reason} (the same as detail, which clients of the first API version read). A 4xx of the REST layer without a
 * body gets a problem with its title, and for 401/403 what to do. (A key that is not configured is refused before the
 * REST layer, by decree-auth's mechanism, with a problem of its own.)
 */
@Provider
public class Problems implements ContainerResponseFilter {
    static final MediaType PROBLEM = MediaType.valueOf("application/problem+json");

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
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", type != null ? type.getReasonPhrase() : "Client Error");
        problem.put("status", status);
        if (refusal == null && (status == 401 || status == 403)) {
            // The endpoint's role check: no key (401), or a key whose role may not do this (403).
            problem.put("detail", status == 401 ? "no API key: send X-API-Key or Authorization: Bearer"
                    : "this API key's role may not do this (uploads: uploader; rescans: admin)");
        }
        if (refusal != null) {
            problem.put("detail", refusal.reason());
            if (refusal.field() != null) {
                problem.put("field", refusal.field());
            }
            problem.put("reason", refusal.reason());
        }
        response.setEntity(problem, null, PROBLEM);
    }
}
