using System.Data;
using System.Data.Common;
using Fleet.Engine.Diagnostics;
using Fleet.State.Inventory;
using Microsoft.Data.Sqlite;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Backends;

/// <summary>
/// The embedded default: one SQLite file in write-ahead-log mode, so readers never wait for the
/// writer. Writers take the write lock when their transaction begins (BEGIN IMMEDIATE) and wait
/// for each other (busy timeout), which serialises claims and migrations across processes.
/// Times are integer microseconds since the Unix epoch.
/// </summary>
internal sealed class SqliteBackend : StateBackend
{
    private const int SqliteNotADatabase = 26;
    private const int SqliteCantOpen = 14;
    private const int SqliteReadOnly = 8;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    private readonly string connectionString;

    public SqliteBackend(InventoryLocation location)
        : base(location)
    {
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = location.ConnectionTarget,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
    }

    public override string MigrationFolder => "sqlite";

    public override string ForUpdate => string.Empty;

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Location.ConnectionTarget);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            using var pragmas = Command(connection, null, "PRAGMA busy_timeout = 60000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_mode = WAL;");
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw Translate(e);
        }
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    public override Task<DbTransaction> BeginSchemaChangeAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginWriteAsync(connection, cancellationToken);

    public override Task LockIngestAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public override object TimeValue(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (reader.GetInt64(ordinal) * 10), TimeSpan.Zero);

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey };

    public override Exception Translate(DbException exception)
    {
        var where = Location.Display;
        return exception switch
        {
            SqliteException { SqliteErrorCode: SqliteNotADatabase } =>
                new FleetException($"inventory {where}: the file is not a SQLite database"),
            SqliteException { SqliteErrorCode: SqliteCantOpen } =>
                new FleetException($"inventory {where}: cannot open the database file"),
            SqliteException { SqliteErrorCode: SqliteReadOnly } =>
                new FleetException($"inventory {where}: the database is read-only"),
            SqliteException e => new FleetException($"inventory {where}: {e.Message}"),
            _ => exception,
        };
    }

    public override async Task WriteIngestAsync(DbConnection connection, DbTransaction transaction, IngestBatch batch, CancellationToken cancellationToken)
    {
        using (var insert = Command(connection, transaction, $"INSERT INTO machines ({MachineRows.Columns}) VALUES (@n, @t, @s, @r, @ba, @bp, @i, @st, @h, @ro, @p, @im, @c, @u, @v)"))
        {
            var p = Parameters(insert, "@n", "@t", "@s", "@r", "@ba", "@bp", "@i", "@st", "@h", "@ro", "@p", "@im", "@c", "@u", "@v");
            insert.Prepare();
            foreach (var m in batch.Created)
            {
                Set(p, m.HardwareName, m.HardwareType, m.Site, m.Rack, m.Bmc?.Address, m.Bmc?.Port, MachineRows.EncodeInterfaces(m.Interfaces),
                    Engine.Inventory.MachineStates.ToWire(m.State), m.Hostname, m.Role, m.Pool, m.Image, TimeValue(m.CreatedAt), TimeValue(m.UpdatedAt), m.Version);
                insert.ExecuteNonQuery();
            }
        }

        using (var update = Command(connection, transaction, "UPDATE machines SET hardware_type = @t, site = @s, rack = @r, bmc_address = @ba, bmc_port = @bp, interfaces = @i, updated_at = @u, version = @v WHERE hardware_name = @n"))
        using (var release = Command(connection, transaction, "DELETE FROM machine_addresses WHERE hardware_name = @n"))
        {
            var p = Parameters(update, "@n", "@t", "@s", "@r", "@ba", "@bp", "@i", "@u", "@v");
            var r = Parameters(release, "@n");
            update.Prepare();
            release.Prepare();
            foreach (var m in batch.Updated)
            {
                Set(r, m.HardwareName);
                release.ExecuteNonQuery();
            }

            foreach (var m in batch.Updated)
            {
                Set(p, m.HardwareName, m.HardwareType, m.Site, m.Rack, m.Bmc?.Address, m.Bmc?.Port, MachineRows.EncodeInterfaces(m.Interfaces), TimeValue(m.UpdatedAt), m.Version);
                update.ExecuteNonQuery();
            }
        }

        using (var address = Command(connection, transaction, "INSERT INTO machine_addresses (kind, address, hardware_name) VALUES (@k, @a, @n)"))
        {
            var p = Parameters(address, "@k", "@a", "@n");
            address.Prepare();
            foreach (var a in batch.Addresses)
            {
                Set(p, a.Kind, a.Address, a.HardwareName);
                address.ExecuteNonQuery();
            }
        }

        using (var audit = Command(connection, transaction, AuditRows.Insert))
        {
            var p = Parameters(audit, AuditRows.ParameterNames);
            audit.Prepare();
            foreach (var row in batch.Audit)
            {
                AuditRows.Set(p, row, this);
                audit.ExecuteNonQuery();
            }
        }

        await Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
