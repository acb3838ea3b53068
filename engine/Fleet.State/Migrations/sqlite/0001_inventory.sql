-- Machines, their unique MACs and IPs, applied pools and the audit log.
-- Times are integer microseconds since the Unix epoch (UTC).
CREATE TABLE machines (
    hardware_name TEXT NOT NULL PRIMARY KEY,
    hardware_type TEXT NOT NULL,
    site TEXT NOT NULL,
    rack TEXT,
    bmc_address TEXT,
    bmc_port INTEGER,
    interfaces TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL CHECK (state IN ('available', 'installing', 'in_use', 'recycling', 'broken')),
    hostname TEXT,
    role TEXT,
    pool TEXT,
    image TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX machines_hostname_key ON machines (hostname) WHERE hostname IS NOT NULL;
CREATE INDEX machines_pool_idx ON machines (pool) WHERE pool IS NOT NULL;
CREATE INDEX machines_site_state_idx ON machines (site, state);

CREATE TABLE machine_addresses (
    kind TEXT NOT NULL CHECK (kind IN ('mac', 'ip')),
    address TEXT NOT NULL,
    hardware_name TEXT NOT NULL REFERENCES machines (hardware_name) ON DELETE CASCADE,
    PRIMARY KEY (kind, address)
) WITHOUT ROWID;
CREATE INDEX machine_addresses_machine_idx ON machine_addresses (hardware_name);

CREATE TABLE pools (
    name TEXT NOT NULL PRIMARY KEY,
    backend TEXT NOT NULL,
    role TEXT,
    image TEXT,
    protected INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hardware_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    job_id TEXT,
    commit_id TEXT,
    detail TEXT
);
CREATE INDEX audit_log_machine_idx ON audit_log (hardware_name, id);
