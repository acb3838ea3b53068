-- The latest takeover of a job whose worker's lease ran out (the worker and lease it lost, the attempt
-- that lost it) and how many it had, recorded by the claim itself: an apply reports every takeover,
-- even one that happened between two of its readings.
ALTER TABLE jobs ADD COLUMN takeovers integer NOT NULL DEFAULT 0,
    ADD COLUMN lost_worker text,
    ADD COLUMN lost_lease_until timestamptz,
    ADD COLUMN lost_attempt integer;
CREATE INDEX jobs_taken_over ON jobs (apply_id) WHERE takeovers > 0;
