package io.decree.auth;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Requests per credential and period (resilience4j's rate limiter, one per credential name): a
 * default for everyone, and overrides per name ({@code name:N;name:N}), e.g. more for a CI bot.
 * A limit of 0 means unlimited. Anonymous callers share the name "anonymous".
 */
public final class RateLimits {
    private final int perPeriod;
    private final Duration period;
    private final Map<String, Integer> overrides = new HashMap<>();
    private final RateLimiterRegistry registry = RateLimiterRegistry.ofDefaults();

    public RateLimits(int perPeriod, Duration period, String overrides) {
        if (perPeriod < 0) {
            throw new IllegalArgumentException("a rate limit cannot be negative: " + perPeriod);
        }
        this.perPeriod = perPeriod;
        this.period = period;
        if (overrides != null && !overrides.isBlank()) {
            for (String entry : overrides.split(";")) {
                String e = entry.trim();
                if (e.isEmpty()) {
                    continue;
                }
                String[] parts = e.split(":");
                if (parts.length != 2 || !parts[1].matches("\\d+")) {
                    throw new IllegalArgumentException("rate-limit override '" + e + "' is not name:N");
                }
                this.overrides.put(parts[0], Integer.parseInt(parts[1]));
            }
        }
    }

    /**
     * Takes one request from {@code credential}'s allowance.
     *
     * @return empty when allowed; otherwise the seconds until the allowance refills (for Retry-After)
     */
    public OptionalLong acquire(String credential) {
        int limit = overrides.getOrDefault(credential, perPeriod);
        if (limit == 0) {
            return OptionalLong.empty();
        }
        // The configuration is built only for a credential's first request.
        RateLimiter limiter = registry.rateLimiter(credential, () -> RateLimiterConfig.custom()
                .limitForPeriod(limit).limitRefreshPeriod(period).timeoutDuration(Duration.ZERO).build());
        if (limiter.acquirePermission()) {
            return OptionalLong.empty();
        }
        // The default limiter knows how long until its next refresh; anything else: a whole period.
        long nanos = limiter instanceof AtomicRateLimiter atomic ? atomic.getDetailedMetrics().getNanosToWait()
                : period.toNanos();
        return OptionalLong.of(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
    }
}
