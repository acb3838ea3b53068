-- Job broker, apply lock holder and apply history (DESIGN.md, Apply).
CREATE TABLE jobs (
    id              bigserial PRIMARY KEY,
    apply_id        text,
    change_id       text NOT NULL,
    action          text NOT NULL,
    target          text NOT NULL,
    site            text,
    params          jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until     timestamptz,
    worker          text,
    requester       text NOT NULL,
    commit          text,
    plan_checksum   text,
    created_at      timestamptz NOT NULL,
    started_at      timestamptz,
    ended_at        timestamptz,
    error           text,
    replacement_of  bigint REFERENCES jobs (id),
    replaced_by     bigint REFERENCES jobs (id)
);
-- Workers look only at unfinished jobs, oldest first.
CREATE INDEX jobs_unfinished ON jobs (id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_apply ON jobs (apply_id);

-- Who holds the apply lock. The lock itself is a session advisory lock; this row only names the holder
-- and may outlive a dead holder (the advisory lock does not).
CREATE TABLE apply_lock_holder (
    id         integer PRIMARY KEY CHECK (id = 1),
    user_name  text NOT NULL,
    host       text NOT NULL,
    pid        integer NOT NULL,
    commit     text,
    since      timestamptz NOT NULL
);

CREATE TABLE apply_history (
    id            text PRIMARY KEY,
    user_name     text NOT NULL,
    host          text NOT NULL,
    commit        text,
    plan_checksum text,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    result        text NOT NULL,
    counts        jsonb NOT NULL
);
CREATE INDEX apply_history_started ON apply_history (started_at DESC);
