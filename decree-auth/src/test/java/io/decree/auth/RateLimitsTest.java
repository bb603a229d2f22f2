package io.decree.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

    @Test
    void eachCredentialHasItsOwnAllowance() {
        RateLimits limits = new RateLimits(3, Duration.ofMinutes(1), "ci-bot:5;ops:0");
        for (int i = 0; i < 3; i++) {
            assertTrue(limits.acquire("alice").isEmpty(), "request " + (i + 1) + " of 3");
        }
        long retry = limits.acquire("alice").orElseThrow();
        assertTrue(retry >= 50 && retry <= 60, "retry after the rest of the minute, not " + retry + " s");
        assertTrue(limits.acquire("bob").isEmpty(), "bob is not limited by alice's requests");
        for (int i = 0; i < 5; i++) {
            assertTrue(limits.acquire("ci-bot").isEmpty(), "the override gives ci-bot 5");
        }
        assertFalse(limits.acquire("ci-bot").isEmpty());
        for (int i = 0; i < 100; i++) {
            assertTrue(limits.acquire("ops").isEmpty(), "0 means unlimited");
        }
    }

    @Test
    void theAllowanceRefillsAfterThePeriod() throws InterruptedException {
        RateLimits limits = new RateLimits(1, Duration.ofMillis(300), null);
        assertTrue(limits.acquire("alice").isEmpty());
        assertFalse(limits.acquire("alice").isEmpty());
        Thread.sleep(400);
        assertTrue(limits.acquire("alice").isEmpty());
    }

    @Test
    void badConfigurationFailsLoudly() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimits(-1, Duration.ofMinutes(1), null));
        assertThrows(IllegalArgumentException.class, () -> new RateLimits(1, Duration.ofMinutes(1), "ci-bot=5"));
    }
}
