-- A rescan is a scan of its own (its id mixes in the request's event id): history keeps the earlier scan, failed or
-- not, beside it. Deduplication is by scan id alone, which a redelivered result repeats.
ALTER TABLE scan DROP CONSTRAINT scan_dedupe;
CREATE INDEX scan_by_encoder ON scan (sha256, detector_version, config_hash);
