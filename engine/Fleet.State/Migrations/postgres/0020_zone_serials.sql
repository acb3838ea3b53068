-- What fleetctl last pushed per DNS zone: the SOA serial (YYYYMMDDnn) and the content hash it was
-- computed for, so a serial is bumped only when content changes and never goes down.
CREATE TABLE zone_serials (
    zone TEXT PRIMARY KEY,
    serial BIGINT NOT NULL CHECK (serial >= 0 AND serial <= 4294967295),
    content_hash TEXT NOT NULL,
    pushed_at TIMESTAMPTZ NOT NULL
);
