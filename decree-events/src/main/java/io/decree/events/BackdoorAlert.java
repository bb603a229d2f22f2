package io.decree.events;

import java.util.List;

/** A trojaned encoder, raised once per encoder and detector version for downstream security tooling. */
public record BackdoorAlert(String sha256, String name, String scanId, double pl1Norm, double threshold,
        String detectorVersion, String bucket, List<String> evidenceKeys) implements EventData {
    public static final String TYPE = "io.decree.backdoor.alert.v1";
}
