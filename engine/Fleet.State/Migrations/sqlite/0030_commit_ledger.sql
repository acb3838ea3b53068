-- The applied-commit ledger (DESIGN.md, Git and reconciliation): every successful apply, in order.
-- Times are Unix microseconds (UTC).
CREATE TABLE applied_commits (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    "commit"      TEXT,
    reference     TEXT,
    plan_checksum TEXT NOT NULL,
    applied_by    TEXT NOT NULL,
    applied_at    INTEGER NOT NULL
);
CREATE INDEX applied_commits_git ON applied_commits (seq DESC) WHERE "commit" IS NOT NULL;
