package io.decree.contract;

import java.util.List;

/** The files a scan leaves in its out folder and the worker stores as its evidence; report.json is stored last. */
public final class EvidenceFiles {
    public static final String REPORT = "report.json";
    public static final String SARIF = "scan.sarif";
    /** The trigger's images, in the order pages show them. */
    public static final List<String> IMAGES = List.of("trigger.png", "mask.png", "pattern.png", "stamped.png");
    /** Everything, report first. */
    public static final List<String> ALL = List.of(REPORT, "trigger.png", "mask.png", "pattern.png", "stamped.png", SARIF);

    private EvidenceFiles() {
    }

    /** The content type each is stored with. */
    public static String contentType(String file) {
        return file.endsWith(".json") ? "application/json" : file.endsWith(".sarif") ? "application/sarif+json" : "image/png";
    }
}
