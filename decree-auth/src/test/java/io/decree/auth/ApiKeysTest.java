package io.decree.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void findsTheCallerOfAKeyByItsHashOnly() {
        ApiKeys keys = new ApiKeys("ci:uploader:" + ApiKeys.sha256("s3cret") + "; alice:reader+admin:" + ApiKeys.sha256("other"));
        assertEquals(new ApiKeys.Caller("ci", Set.of("uploader")), keys.lookup("s3cret").orElseThrow());
        assertEquals(Set.of("reader", "admin"), keys.lookup("other").orElseThrow().roles());
        assertFalse(keys.lookup("s3cret ").isPresent());
        assertFalse(keys.lookup(ApiKeys.sha256("s3cret")).isPresent(), "the hash itself is not a key");
    }

    @Test
    void badConfigurationFailsLoudly() {
        assertThrows(IllegalArgumentException.class, () -> new ApiKeys("ci:uploader:nothex"));
        assertThrows(IllegalArgumentException.class, () -> new ApiKeys("ci:root:" + ApiKeys.sha256("k")));
        assertTrue(new ApiKeys("  ").isEmpty());
    }
}
