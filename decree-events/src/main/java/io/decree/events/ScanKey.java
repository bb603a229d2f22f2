package io.decree.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two scans the same: the encoder's bytes, the detector version and the detector's configuration, and for a
 * rescan the request that asked for it. The scan id is derived from it, so a redelivered request lands on the same id
 * and the same evidence keys, while a rescan is a scan of its own (history keeps the earlier one, failed or not).
 *
 * @param rescanRequest the id of the event that asked for a rescan, or null for the scan of record
 */
public record ScanKey(String sha256, String detectorVersion, String configHash, String rescanRequest) {

    public ScanKey(String sha256, String detectorVersion, String configHash) {
        this(sha256, detectorVersion, configHash, null);
    }

    public String scanId() {
        String key = sha256 + "|" + detectorVersion + "|" + configHash;
        return sha256(rescanRequest == null ? key : key + "|rescan:" + rescanRequest).substring(0, 32);
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
