package io.decree.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The per-credential request limit of a service's write endpoints, from configuration:
 * {@code decree.auth.rate-limit.per-minute} (0: unlimited) and {@code decree.auth.rate-limit.overrides}
 * ({@code name:N;...}, e.g. a CI bot that uploads in bursts).
 */
@ApplicationScoped
public class CredentialRateLimit {
    private final RateLimits limits;
    private final int perMinute;

    CredentialRateLimit(@ConfigProperty(name = "decree.auth.rate-limit.per-minute", defaultValue = "60") int perMinute,
            @ConfigProperty(name = "decree.auth.rate-limit.overrides") Optional<String> overrides) {
        this.perMinute = perMinute;
        this.limits = new RateLimits(perMinute, Duration.ofMinutes(1), overrides.orElse(null));
    }

    /** Empty when {@code credential} may go on; otherwise the seconds to wait (the Retry-After header). */
    public OptionalLong acquire(String credential) {
        return limits.acquire(credential);
    }

    public int perMinute() {
        return perMinute;
    }
}
