package io.decree.events;

import java.util.Map;

/**
 * An encoder is in the bucket and should be scanned.
 *
 * @param name          the file name it was uploaded under (for people; the identity is the hash)
 * @param inputSpec     the sidecar input spec (size, value range, mean, std), or null for the worker's default
 * @param shadowImages  the name of the shadow-image set the worker should use (a key of its configuration)
 * @param registeredBy  who or what registered it: {@code upload:<client>}, {@code bucket-notification}, {@code reconciler}
 * @param rescan        scan again even if a verdict exists for this detector version and configuration
 * @param baseModel     the sha256 of the registered upstream checkpoint this encoder was fine-tuned from, for a differential
 *                      scan (the verdict relative to the base's smallest trigger); null for none (added in v1 as an optional
 *                      field: consumers that do not know it ignore it and scan without a base)
 */
public record EncoderRegistered(String sha256, String bucket, String objectKey, long size, String name,
        Map<String, Object> inputSpec, String shadowImages, String registeredBy, boolean rescan, String baseModel) implements EventData {
    public static final String TYPE = "io.decree.encoder.registered.v1";

    public EncoderRegistered {
        if (baseModel != null && !ScanKey.isSha256(baseModel)) {
            throw new IllegalArgumentException("baseModel must be 64 lower-case hex digits, got " + baseModel);
        }
        if (baseModel != null && baseModel.equals(sha256)) {
            throw new IllegalArgumentException("baseModel is the encoder itself");
        }
    }

    /** Without a base: the plain scan. */
    public EncoderRegistered(String sha256, String bucket, String objectKey, long size, String name, Map<String, Object> inputSpec,
            String shadowImages, String registeredBy, boolean rescan) {
        this(sha256, bucket, objectKey, size, name, inputSpec, shadowImages, registeredBy, rescan, null);
    }
}
