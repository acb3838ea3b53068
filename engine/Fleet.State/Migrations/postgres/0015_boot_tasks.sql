-- The install or sanitize task each machine runs now (one row per machine, replaced by every new
-- attempt), the SHA-256 hash of the token its installer calls back with, and how it ended.
CREATE TABLE boot_tasks (
    machine      text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('install', 'sanitize')),
    job_id       text,
    started_at   timestamptz NOT NULL,
    token_hash   bytea UNIQUE,
    succeeded    boolean,
    error        text,
    completed_at timestamptz
);
