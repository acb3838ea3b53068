-- Targets (machine serials) an apply's plan works on, reserved before its jobs are enqueued one by
-- one, so that a replacement claimed by any process (the apply or a fleetctl worker) never takes one.
-- A reservation counts only while its apply's history row says running.
CREATE TABLE target_reservations (
    apply_id TEXT NOT NULL,
    target   TEXT NOT NULL,
    PRIMARY KEY (apply_id, target)
);
