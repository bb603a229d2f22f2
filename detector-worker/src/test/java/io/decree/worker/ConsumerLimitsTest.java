package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConsumerLimitsTest {
    private static final Duration LIMIT = Duration.ofMinutes(130);

    @Test
    void theShippedConfigurationIsConsistent() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        Duration limit = Duration.parse("PT" + p.getProperty("decree.worker.scan-timeout").toUpperCase())
                .plus(Duration.parse("PT" + p.getProperty("decree.worker.transfer-allowance").toUpperCase()));
        List<String> problems = ConsumerLimits.problems(limit, Long.parseLong(p.getProperty(ConsumerLimits.MAX_AGE)),
                Duration.parse("PT" + p.getProperty(ConsumerLimits.WORKER_EXECUTE_TIME).toUpperCase()));
        assertEquals(List.of(), problems);
    }

    @Test
    void anAgeCheckShorterThanAScanIsRefusedNamingTheSetting() {
        // The production incident: a 50-min age check against a 120-min scan limit.
        List<String> p = ConsumerLimits.problems(LIMIT, Duration.ofMinutes(50).toMillis(), Duration.ofHours(6));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(ConsumerLimits.MAX_AGE + "=3000000"), p.get(0));
        assertTrue(p.get(0).contains("above " + LIMIT.toMillis()), p.get(0));
    }

    @Test
    void theConnectorDefaultAgeIsRefusedTooSoAnAbsentSettingCannotSlipThrough() {
        assertEquals(1, ConsumerLimits.problems(LIMIT, ConsumerLimits.CONNECTOR_DEFAULT_MAX_AGE_MS, Duration.ofHours(6)).size());
    }

    @Test
    void theAgeCheckOffOrLongerThanAScanIsAccepted() {
        assertEquals(List.of(), ConsumerLimits.problems(LIMIT, 0, Duration.ofHours(6)));
        assertEquals(List.of(), ConsumerLimits.problems(LIMIT, LIMIT.toMillis() + 1, Duration.ofHours(6)));
        assertEquals(1, ConsumerLimits.problems(LIMIT, LIMIT.toMillis(), Duration.ofHours(6)).size(), "equal is not above");
    }

    @Test
    void aBlockedThreadWarningShorterThanAScanIsRefused() {
        List<String> p = ConsumerLimits.problems(LIMIT, 0, Duration.ofMinutes(45));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(ConsumerLimits.WORKER_EXECUTE_TIME), p.get(0));
    }
}
