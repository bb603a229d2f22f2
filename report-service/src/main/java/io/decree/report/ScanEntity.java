package io.decree.report;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** One scan of one encoder by one detector version and configuration (see V1__verdicts.sql, V2__decision.sql, V3__rescans.sql). */
@Entity
@Table(name = "scan")
public class ScanEntity extends PanacheEntityBase {
    @Id
    @Column(name = "scan_id")
    public String scanId;
    public String sha256;
    @Column(name = "detector_version")
    public String detectorVersion;
    @Column(name = "config_hash")
    public String configHash;
    /** {@code completed} or {@code failed}. */
    public String status;
    /** {@code clean}, {@code trojaned}, or null for a failed scan. */
    public String verdict;
    @Column(name = "pl1_norm")
    public Double pl1Norm;
    public Double threshold;
    /** Which rule decided: {@code pl1}, {@code accepted-pl1}, {@code base-contrast-base-ratio}, {@code base-contrast} or {@code reference-ratio}; null for scans before rules were named. */
    public String rule;
    /** The figure the rule compared with its threshold (for the base ratio: the contrasted trigger over the base's own smallest; for reference-ratio: accepted PL1 over the base's). */
    public Double score;
    /** The upstream checkpoint a differential scan judged against, or null. */
    @Column(name = "base_model")
    public String baseModel;
    public Double similarity;
    public Integer steps;
    public Double seconds;
    public Long seed;
    public String device;
    public String reason;
    public Boolean retryable;
    public String bucket;
    /** Comma-separated object keys of report.json and the PNGs. */
    @Column(name = "evidence_keys")
    public String evidenceKeys;
    @Column(name = "completed_at")
    public OffsetDateTime completedAt;

    /** The bucket key of one evidence file of this scan ({@code report.json}, {@code trigger.png}, ...), or null. */
    public String evidenceKey(String file) {
        if (evidenceKeys == null) {
            return null;
        }
        return java.util.Arrays.stream(evidenceKeys.split(",")).filter(k -> k.endsWith("/" + file)).findFirst().orElse(null);
    }
}
