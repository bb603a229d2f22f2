package io.decree.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys a service accepts, from configuration: {@code name:role[+role]:sha256-of-key}, separated by
 * {@code ;} (e.g. {@code ci-bot:uploader:9f86…;alice:reader+admin:2c26…}). Only hashes are configured, so a
 * leaked configuration does not leak a key. Generate one with {@code printf %s "$KEY" | sha256sum}.
 */
public final class ApiKeys {
    public static final Set<String> ROLES = Set.of("uploader", "reader", "admin");

    /** Who a key belongs to and what it may do. */
    public record Caller(String name, Set<String> roles) {
    }

    private final Map<String, Caller> byHash = new HashMap<>();

    public ApiKeys(String config) {
        if (config == null || config.isBlank()) {
            return;
        }
        for (String entry : config.split(";")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            String[] parts = e.split(":");
            if (parts.length != 3 || !parts[2].matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("API key entry '" + mask(e) + "' is not name:role[+role]:sha256-hex");
            }
            Set<String> roles = Set.of(parts[1].split("\\+"));
            for (String r : roles) {
                if (!ROLES.contains(r)) {
                    throw new IllegalArgumentException("unknown role '" + r + "' for key " + parts[0] + " (roles: " + ROLES + ")");
                }
            }
            byHash.put(parts[2].toLowerCase(), new Caller(parts[0], roles));
        }
    }

    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    public Optional<Caller> lookup(String key) {
        return Optional.ofNullable(byHash.get(sha256(key)));
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String mask(String entry) {
        return entry.length() <= 12 ? "…" : entry.substring(0, 12) + "…";
    }
}
