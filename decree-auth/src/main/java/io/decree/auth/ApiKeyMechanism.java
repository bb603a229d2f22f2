package io.decree.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads an API key from {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. No key: anonymous (the
 * endpoint's policy decides: 401 where a role is needed). A key that matches none: 401. With
 * {@code decree.auth.enabled=false} every caller is an admin (a laptop; never in production).
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {
    /** The report pages' sign-in keeps the key in this HttpOnly cookie; it counts for GET/HEAD only (no CSRF). */
    public static final String COOKIE = "decree_api_key";
    private final ApiKeys keys;
    private final boolean enabled;

    ApiKeyMechanism(@ConfigProperty(name = "decree.auth.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "decree.auth.api-keys") Optional<String> config) {
        this.enabled = enabled;
        this.keys = new ApiKeys(config.orElse(null));
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!enabled) {
            return Uni.createFrom().item(identity("auth-disabled", ApiKeys.ROLES));
        }
        String key = context.request().getHeader("X-API-Key");
        String auth = context.request().getHeader("Authorization");
        if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = auth.substring(7).trim();
        }
        if (key == null && readOnly(context)) {
            var cookie = context.request().getCookie(COOKIE);
            key = cookie == null ? null : cookie.getValue();
        }
        if (key == null || key.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        return keys.lookup(key).map(c -> Uni.createFrom().item(identity(c.name(), c.roles())))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("unknown API key")));
    }

    private static SecurityIdentity identity(String name, Set<String> roles) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name)).addRoles(roles).build();
    }

    /** Whether {@code key} belongs to a configured credential (the pages' sign-in form). */
    public boolean knows(String key) {
        return !enabled || keys.lookup(key).isPresent();
    }

    private static boolean readOnly(RoutingContext context) {
        String m = context.request().method().name();
        return m.equals("GET") || m.equals("HEAD");
    }

    /** A person's browser asking for a page goes to the sign-in form; API clients get 401 with the scheme. */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        String path = context.request().path();
        String accept = context.request().getHeader("Accept");
        if (readOnly(context) && accept != null && accept.contains("text/html") && !path.startsWith("/api/")
                && !path.startsWith("/q/")) {
            return Uni.createFrom().item(new ChallengeData(303, "Location", "/login?next=" + java.net.URLEncoder.encode(
                    path, java.nio.charset.StandardCharsets.UTF_8)));
        }
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"decree\""));
    }

    /**
     * The challenge, and for an API client's 401 an RFC 9457 problem body saying what to send (the services' other
     * refusals are problems too); the sign-in redirect stays a bare 303.
     */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return getChallenge(context).map(challenge -> {
            var response = context.response();
            response.setStatusCode(challenge.status);
            challenge.getHeaders().forEach((name, value) -> response.headers().set(name, value));
            if (challenge.status == 401 && !response.ended()) {
                response.headers().set("Content-Type", "application/problem+json");
                response.end(UNAUTHORIZED);
            }
            return true;
        });
    }

    private static final String UNAUTHORIZED = "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
            + "\"detail\":\"no API key, or one that is not configured: send X-API-Key or Authorization: Bearer\"}";

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }
}
