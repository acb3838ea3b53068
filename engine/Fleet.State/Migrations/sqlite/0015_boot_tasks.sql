-- The install or sanitize task each machine runs now (one row per machine, replaced by every new
-- attempt), the SHA-256 hash of the token its installer calls back with, and how it ended.
-- Times are Unix microseconds (UTC).
CREATE TABLE boot_tasks (
    machine      TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('install', 'sanitize')),
    job_id       TEXT,
    started_at   INTEGER NOT NULL,
    token_hash   BLOB UNIQUE,
    succeeded    INTEGER,
    error        TEXT,
    completed_at INTEGER
);
