-- The `new` state: machines registered over the network wait for an operator's approval.
-- SQLite cannot alter a CHECK constraint, so machines is rebuilt; machine_addresses, which
-- references it with ON DELETE CASCADE, is set aside first so dropping machines deletes nothing.
CREATE TEMP TABLE saved_addresses AS SELECT kind, address, hardware_name FROM machine_addresses;
DROP TABLE machine_addresses;

CREATE TABLE machines_next (
    hardware_name TEXT NOT NULL PRIMARY KEY,
    hardware_type TEXT NOT NULL,
    site TEXT NOT NULL,
    rack TEXT,
    bmc_address TEXT,
    bmc_port INTEGER,
    interfaces TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL CHECK (state IN ('new', 'available', 'installing', 'in_use', 'recycling', 'broken')),
    hostname TEXT,
    role TEXT,
    pool TEXT,
    image TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO machines_next (hardware_name, hardware_type, site, rack, bmc_address, bmc_port, interfaces, state, hostname, role, pool, image, created_at, updated_at, version)
    SELECT hardware_name, hardware_type, site, rack, bmc_address, bmc_port, interfaces, state, hostname, role, pool, image, created_at, updated_at, version FROM machines;
DROP TABLE machines;
ALTER TABLE machines_next RENAME TO machines;
CREATE UNIQUE INDEX machines_hostname_key ON machines (hostname) WHERE hostname IS NOT NULL;
CREATE INDEX machines_pool_idx ON machines (pool) WHERE pool IS NOT NULL;
CREATE INDEX machines_site_state_idx ON machines (site, state);

CREATE TABLE machine_addresses (
    kind TEXT NOT NULL CHECK (kind IN ('mac', 'ip')),
    address TEXT NOT NULL,
    hardware_name TEXT NOT NULL REFERENCES machines (hardware_name) ON DELETE CASCADE,
    PRIMARY KEY (kind, address)
) WITHOUT ROWID;
INSERT INTO machine_addresses (kind, address, hardware_name) SELECT kind, address, hardware_name FROM saved_addresses;
DROP TABLE saved_addresses;
CREATE INDEX machine_addresses_machine_idx ON machine_addresses (hardware_name);
