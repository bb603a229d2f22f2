-- Which rule decided a scan and the figure it compared (report.json's decision), and the upstream checkpoint a
-- differential scan judged against. Null on rows stored before; a differential scan has its own config hash, so it
-- is a row of its own beside the encoder's plain scan.
ALTER TABLE scan ADD COLUMN rule TEXT;
ALTER TABLE scan ADD COLUMN score DOUBLE PRECISION;
ALTER TABLE scan ADD COLUMN base_model CHAR(64);
