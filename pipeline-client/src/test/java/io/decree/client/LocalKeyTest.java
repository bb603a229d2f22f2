package io.decree.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.events.ScanKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyTest {

    @Test
    void upMakesOneOwnerOnlyKeyPerStackFolderAndKeepsItAcrossRestarts(@TempDir Path dir) throws Exception {
        assertNull(LocalKey.of(dir), "no stack ran here: a client has no key to take");
        String key = LocalKey.readOrCreate(dir.resolve(LocalKey.FILE));
        assertTrue(key.length() >= 32, key);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(dir.resolve(LocalKey.FILE)));
        assertEquals(key, LocalKey.readOrCreate(dir.resolve(LocalKey.FILE)), "a restart keeps the key its clients have");
        assertEquals(key, LocalKey.of(dir), "submit finds the key beside the stack");
        Path other = Files.createDirectories(dir.resolve("other"));
        assertNotEquals(key, LocalKey.readOrCreate(other.resolve(LocalKey.FILE)), "keys are random, not derived");
    }

    @Test
    void theCredentialCarriesOnlyTheHashAndEveryRole(@TempDir Path dir) throws Exception {
        String key = LocalKey.readOrCreate(dir.resolve(LocalKey.FILE));
        String credential = LocalKey.credential(key);
        assertTrue(!credential.contains(key), "the services are configured with the key's hash, never the key");
        String[] parts = credential.split(":");
        assertEquals(3, parts.length, "name:roles:sha256, as decree.auth.api-keys reads it");
        assertEquals(Set.of("uploader", "reader", "admin"), Set.of(parts[1].split("\\+")));
        assertEquals(ScanKey.sha256(key), parts[2]);
    }
}
