-- Machines, their unique MACs and IPs, applied pools and the audit log.
-- Identifiers use the C collation so that ordering is ordinal, as on SQLite.
CREATE TABLE machines (
    hardware_name text COLLATE "C" PRIMARY KEY,
    hardware_type text NOT NULL,
    site text NOT NULL,
    rack text,
    bmc_address text,
    bmc_port integer,
    interfaces text NOT NULL DEFAULT '[]',
    state text NOT NULL CHECK (state IN ('available', 'installing', 'in_use', 'recycling', 'broken')),
    hostname text,
    role text,
    pool text,
    image text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);
CREATE UNIQUE INDEX machines_hostname_key ON machines (hostname) WHERE hostname IS NOT NULL;
CREATE INDEX machines_pool_idx ON machines (pool) WHERE pool IS NOT NULL;
CREATE INDEX machines_site_state_idx ON machines (site, state);

CREATE TABLE machine_addresses (
    kind text NOT NULL CHECK (kind IN ('mac', 'ip')),
    address text NOT NULL,
    hardware_name text COLLATE "C" NOT NULL REFERENCES machines (hardware_name) ON DELETE CASCADE,
    PRIMARY KEY (kind, address)
);
CREATE INDEX machine_addresses_machine_idx ON machine_addresses (hardware_name);

CREATE TABLE pools (
    name text COLLATE "C" PRIMARY KEY,
    backend text NOT NULL,
    role text,
    image text,
    protected boolean NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hardware_name text COLLATE "C" NOT NULL,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    from_state text,
    to_state text,
    reason text,
    job_id text,
    commit_id text,
    detail text
);
CREATE INDEX audit_log_machine_idx ON audit_log (hardware_name, id);
