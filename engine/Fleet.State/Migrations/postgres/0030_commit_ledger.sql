-- The applied-commit ledger (DESIGN.md, Git and reconciliation): every successful apply, in order.
CREATE TABLE applied_commits (
    seq           bigserial PRIMARY KEY,
    "commit"      text,
    reference     text,
    plan_checksum text NOT NULL,
    applied_by    text NOT NULL,
    applied_at    timestamptz NOT NULL
);
CREATE INDEX applied_commits_git ON applied_commits (seq DESC) WHERE "commit" IS NOT NULL;
