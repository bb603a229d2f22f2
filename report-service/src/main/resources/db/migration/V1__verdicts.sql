-- Encoders seen, scans of them (one row per encoder x detector version x configuration), alerts raised.
CREATE TABLE encoder (
    sha256      CHAR(64) PRIMARY KEY,
    name        TEXT,
    first_seen  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE scan (
    scan_id          VARCHAR(64) PRIMARY KEY,
    sha256           CHAR(64) NOT NULL REFERENCES encoder (sha256),
    detector_version TEXT NOT NULL,
    config_hash      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('completed', 'failed')),
    verdict          TEXT CHECK (verdict IN ('clean', 'trojaned')),
    pl1_norm         DOUBLE PRECISION,
    threshold        DOUBLE PRECISION,
    similarity       DOUBLE PRECISION,
    steps            INTEGER,
    seconds          DOUBLE PRECISION,
    seed             BIGINT,
    device           TEXT,
    reason           TEXT,
    retryable        BOOLEAN,
    bucket           TEXT,
    evidence_keys    TEXT,
    completed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The dedupe key: a redelivered or duplicate result never makes a second row.
    CONSTRAINT scan_dedupe UNIQUE (sha256, detector_version, config_hash)
);
CREATE INDEX scan_by_time ON scan (completed_at DESC);
CREATE INDEX scan_by_verdict ON scan (verdict, completed_at DESC);

CREATE TABLE alert (
    sha256           CHAR(64) NOT NULL REFERENCES encoder (sha256),
    detector_version TEXT NOT NULL,
    scan_id          VARCHAR(64) NOT NULL REFERENCES scan (scan_id),
    raised_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set once backdoor-alerts acknowledged the alert; a row without it is sent again on redelivery.
    sent_at          TIMESTAMPTZ,
    PRIMARY KEY (sha256, detector_version)
);
