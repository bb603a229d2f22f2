-- Where each running scan is (io.decree.scan.progress.v1): the latest report per scan id, until its result arrives.
CREATE TABLE scan_progress (
    scan_id          VARCHAR(64) PRIMARY KEY,
    sha256           CHAR(64) NOT NULL REFERENCES encoder (sha256),
    phase            TEXT NOT NULL,
    step             INTEGER NOT NULL,
    max_steps        INTEGER NOT NULL,
    best_pl1         DOUBLE PRECISION,
    elapsed_seconds  DOUBLE PRECISION NOT NULL,
    detector_version TEXT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX scan_progress_by_encoder ON scan_progress (sha256, updated_at DESC);
