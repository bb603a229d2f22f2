package io.decree.auth;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which access-control settings a service refuses to start with. */
class AccessControlCheckTest {
    private static final Optional<String> ONE_KEY = Optional.of("ci:uploader:" + "ab".repeat(32));

    @Test
    void keysOnAnyAddressOrNoAuthOnLoopbackStart() {
        assertNull(AccessControlCheck.problem(true, ONE_KEY, "0.0.0.0"));
        assertNull(AccessControlCheck.problem(false, Optional.empty(), "127.0.0.1"));
        assertNull(AccessControlCheck.problem(false, Optional.empty(), "localhost"));
    }

    @Test
    void authOnWithoutKeysOrOffOnTheNetworkIsRefusedWithTheFix() {
        assertTrue(AccessControlCheck.problem(true, Optional.empty(), "0.0.0.0").contains("DECREE_AUTH_API_KEYS"));
        assertTrue(AccessControlCheck.problem(true, Optional.of(" ; "), "127.0.0.1").contains("lists no key"));
        assertTrue(AccessControlCheck.problem(false, ONE_KEY, "0.0.0.0").contains("listens on 0.0.0.0"));
    }
}
