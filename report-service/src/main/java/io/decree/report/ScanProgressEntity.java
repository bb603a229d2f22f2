package io.decree.report;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** The latest progress of a running scan (V6__scan_progress.sql); removed when the scan's result is stored. */
@Entity
@Table(name = "scan_progress")
public class ScanProgressEntity extends PanacheEntityBase {
    @Id
    @Column(name = "scan_id")
    public String scanId;
    public String sha256;
    /** {@code starting}, {@code baseline} (a differential scan's base) or {@code scan}. */
    public String phase;
    public int step;
    @Column(name = "max_steps")
    public int maxSteps;
    /** The smallest PL1 of a trigger so far, or null before one collapsed the batch. */
    @Column(name = "best_pl1")
    public Double bestPl1;
    @Column(name = "elapsed_seconds")
    public double elapsedSeconds;
    @Column(name = "detector_version")
    public String detectorVersion;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    /** For people: "step 120 of 400 (scan), best PL1 0.0312, 42 s". */
    public String text() {
        return io.decree.events.ScanProgress.describe(phase, step, maxSteps, bestPl1, elapsedSeconds);
    }
}
