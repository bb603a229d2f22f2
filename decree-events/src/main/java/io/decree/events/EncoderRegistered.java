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
 */
public record EncoderRegistered(String sha256, String bucket, String objectKey, long size, String name,
        Map<String, Object> inputSpec, String shadowImages, String registeredBy, boolean rescan) implements EventData {
    public static final String TYPE = "io.decree.encoder.registered.v1";
}
