-- The latest takeover of a job whose worker's lease ran out (the worker and lease it lost, the attempt
-- that lost it) and how many it had, recorded by the claim itself: an apply reports every takeover,
-- even one that happened between two of its readings.
ALTER TABLE jobs ADD COLUMN takeovers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lost_worker TEXT;
ALTER TABLE jobs ADD COLUMN lost_lease_until INTEGER;
ALTER TABLE jobs ADD COLUMN lost_attempt INTEGER;
CREATE INDEX jobs_taken_over ON jobs (apply_id) WHERE takeovers > 0;
