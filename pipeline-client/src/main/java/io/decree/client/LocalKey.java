package io.decree.client;

import io.decree.events.ScanKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The API key {@code up} makes when it is given none: nothing the stack serves is open by default, yet a laptop user
 * needs no set-up. Made once per stack folder (owner-only file) and reused, so a restart keeps the key its clients have.
 */
public final class LocalKey {
    public static final String FILE = "api-key";

    private LocalKey() {
    }

    /** The key in {@code file}, or a new random one written there first. */
    public static String readOrCreate(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            String key = Files.readString(file).trim();
            if (key.length() >= 32) {
                return key;
            }
        }
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String key = "dk_" + HexFormat.of().formatHex(raw);
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system
        }
        Files.writeString(tmp, key + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return key;
    }

    /** The services' credential for the key: every role, only its hash configured. */
    public static String credential(String key) {
        return "local:uploader+reader+admin:" + ScanKey.sha256(key);
    }

    /** The key a client on this machine uses when given none: the stack folder's, if there is one. */
    public static String of(Path stackDir) {
        try {
            Path f = stackDir.resolve(FILE);
            return Files.isRegularFile(f) ? Files.readString(f).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
