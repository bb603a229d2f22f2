-- Which detector judged each scan: the SHA-256 of the worker's version and settings (io.decree.worker.started.v1).
-- Null on rows stored before, and from workers that did not say.
ALTER TABLE scan ADD COLUMN detector_id CHAR(64);
-- The encoder's registration as its event's data (without base or rescan flag): what a rescan request repeats.
-- Null for encoders registered before: those are rescanned by an admin's request only.
ALTER TABLE encoder ADD COLUMN registration TEXT;

-- Detectors announced by workers as they joined; the latest is the one old verdicts are brought up to.
CREATE TABLE detector (
    detector_id      CHAR(64) PRIMARY KEY,
    detector_version TEXT NOT NULL,
    settings         TEXT NOT NULL,
    first_seen       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Rescans owed to a detector: one per encoder and kind of scan (plain, or against one base) whose latest verdict came
-- from another detector. Requested a few at a time (requested_at, and request_id: the rescan event's id); answered
-- when a result of that encoder arrives.
CREATE TABLE rescan (
    id           BIGSERIAL PRIMARY KEY,
    sha256       CHAR(64) NOT NULL REFERENCES encoder (sha256),
    base_model   CHAR(64),
    detector_id  CHAR(64) NOT NULL REFERENCES detector (detector_id),
    due_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    requested_at TIMESTAMPTZ,
    request_id   VARCHAR(64),
    answered_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX rescan_once ON rescan (sha256, COALESCE(base_model, ''), detector_id);
CREATE INDEX rescan_due ON rescan (detector_id, due_at) WHERE requested_at IS NULL;
