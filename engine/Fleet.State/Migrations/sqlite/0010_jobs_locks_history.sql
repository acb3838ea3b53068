-- Job broker, apply lock holder and apply history (DESIGN.md, Apply). Times are Unix microseconds (UTC).
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    apply_id        TEXT,
    change_id       TEXT NOT NULL,
    action          TEXT NOT NULL,
    target          TEXT NOT NULL,
    site            TEXT,
    params          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_until     INTEGER,
    worker          TEXT,
    requester       TEXT NOT NULL,
    "commit"        TEXT,
    plan_checksum   TEXT,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    ended_at        INTEGER,
    error           TEXT,
    replacement_of  INTEGER REFERENCES jobs (id),
    replaced_by     INTEGER REFERENCES jobs (id)
);
CREATE INDEX jobs_unfinished ON jobs (id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_apply ON jobs (apply_id);

-- Who holds the apply lock. The lock itself is an OS file lock next to the database; this row only
-- names the holder and may outlive a dead holder (the file lock does not).
CREATE TABLE apply_lock_holder (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    user_name  TEXT NOT NULL,
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    "commit"   TEXT,
    since      INTEGER NOT NULL
);

CREATE TABLE apply_history (
    id            TEXT PRIMARY KEY,
    user_name     TEXT NOT NULL,
    host          TEXT NOT NULL,
    "commit"      TEXT,
    plan_checksum TEXT,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    result        TEXT NOT NULL,
    counts        TEXT NOT NULL
);
CREATE INDEX apply_history_started ON apply_history (started_at DESC);
