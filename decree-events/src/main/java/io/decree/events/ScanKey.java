package io.decree.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two scans the same: the encoder's bytes, the detector version and the detector's configuration.
 * The scan id is derived from it, so a redelivered request lands on the same id and the same evidence keys.
 */
public record ScanKey(String sha256, String detectorVersion, String configHash) {

    public String scanId() {
        return sha256(sha256 + "|" + detectorVersion + "|" + configHash).substring(0, 32);
    }

    /** Evidence of a scan lives under {@code scans/<scan id>/} in the bucket. */
    public String evidencePrefix() {
        return "scans/" + scanId() + "/";
    }

    /** Whether {@code s} is an encoder's identity as decree writes it: 64 lower-case hex digits (safe in an object key). */
    public static boolean isSha256(String s) {
        return s != null && s.matches("[0-9a-f]{64}");
    }

    /** The SHA-256 of a file's bytes, as an encoder is keyed: hex, 64 characters. */
    public static String sha256(java.nio.file.Path file) throws java.io.IOException {
        try (var in = java.nio.file.Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), md));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
