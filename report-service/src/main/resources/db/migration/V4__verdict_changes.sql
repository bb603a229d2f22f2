-- A scan whose verdict differs from the encoder's previous completed scan of the same kind (plain, or against the
-- same base): the row is the guard, as for alerts. sent_at is set once verdict-changes acknowledged the event; a row
-- without it is sent again when the result is redelivered.
CREATE TABLE verdict_change (
    scan_id          VARCHAR(64) PRIMARY KEY REFERENCES scan (scan_id),
    previous_scan_id VARCHAR(64) NOT NULL REFERENCES scan (scan_id),
    raised_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ
);
