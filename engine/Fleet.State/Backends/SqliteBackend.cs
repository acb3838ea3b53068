using System.Collections.Immutable;
using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Fleet.Engine.Diagnostics;
using Fleet.State.Inventory;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Fleet.Engine.Inventory;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Backends;

/// <summary>
/// The embedded default: one SQLite file in write-ahead-log mode, so readers never wait for the
/// writer. Writers take the write lock when their transaction begins (BEGIN IMMEDIATE) and wait
/// for each other (busy timeout), which serialises claims and migrations across processes; within
/// one process, concurrent writes share transactions (group commit).
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

    /// <summary>
    /// Settings of each connection, not kept in the file. synchronous = NORMAL in WAL mode: a commit
    /// survives the process being killed (it is in the WAL); only a power loss may take back the last
    /// commits, never corrupt the file.
    /// </summary>
    private const string Pragmas = "PRAGMA busy_timeout = 60000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

    private readonly string connectionString;

    private readonly bool createIfMissing;

    private readonly SqliteGroupCommit writes;

    /// <summary>
    /// The native connections the pool has handed out and that already have their pragmas: they
    /// keep them while pooled, so each is configured once, not on every open.
    /// </summary>
    private readonly ConditionalWeakTable<sqlite3, object> configured = [];

    private static readonly object Configured = new();

    /// <param name="createIfMissing">
    /// False to open only a database that already exists, and change nothing on opening: no file or
    /// folder is created, and the journal mode is left as it is (a fleetctl database is in WAL mode
    /// since its creation; the mode is kept in the file).
    /// </param>
    public SqliteBackend(InventoryLocation location, bool createIfMissing = true)
        : base(location)
    {
        this.createIfMissing = createIfMissing;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = location.ConnectionTarget,
            Mode = createIfMissing ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        writes = new SqliteGroupCommit(this);
    }

    public override string MigrationFolder => "sqlite";

    public override string ForUpdate => string.Empty;

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Location.ConnectionTarget);
        if (createIfMissing && !string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!configured.TryGetValue(connection.Handle!, out _))
            {
                using var pragmas = Command(connection, null, createIfMissing ? Pragmas + " PRAGMA journal_mode = WAL;" : Pragmas);
                await pragmas.ExecuteNonQueryAsync(cancellationToken);
                configured.AddOrUpdate(connection.Handle!, Configured);
            }

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

    public override object TimeValue(DateTimeOffset time) => Micros(time);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => FromMicros(reader.GetInt64(ordinal));

    public static DateTimeOffset FromMicros(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10), TimeSpan.Zero);

    public override Task<ImmutableArray<Machine>> ReadMachinesAsync(DbCommand command, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteMachineReader.Read((SqliteCommand)command, cancellationToken).ToImmutableArray());

    public override IAsyncEnumerable<Machine> StreamMachinesAsync(DbCommand command, CancellationToken cancellationToken) =>
        SqliteMachineReader.Read((SqliteCommand)command, cancellationToken).ToAsyncEnumerable();

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

    public override Task WriteIngestAsync(DbConnection connection, DbTransaction transaction, IngestBatch batch, CancellationToken cancellationToken)
    {
        var sqlite = (SqliteConnection)connection;
        using (var insert = new SqliteBulkStatement(sqlite, $"INSERT INTO machines ({MachineRows.Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"))
        {
            foreach (var m in batch.Created)
            {
                cancellationToken.ThrowIfCancellationRequested();
                BindFacts(insert, m)
                    .Bind(8, m.State.ToWire()).Bind(9, m.Hostname).Bind(10, m.Role).Bind(11, m.Pool).Bind(12, m.Image)
                    .Bind(13, Micros(m.CreatedAt)).Bind(14, Micros(m.UpdatedAt)).Bind(15, m.Version)
                    .Execute();
            }
        }

        using (var release = new SqliteBulkStatement(sqlite, "DELETE FROM machine_addresses WHERE hardware_name = ?1"))
        using (var update = new SqliteBulkStatement(sqlite, "UPDATE machines SET hardware_type = ?2, site = ?3, rack = ?4, bmc_address = ?5, bmc_port = ?6, interfaces = ?7, updated_at = ?8, version = version + 1 WHERE hardware_name = ?1"))
        {
            foreach (var m in batch.Updated)
            {
                release.Bind(1, m.HardwareName).Execute();
            }

            foreach (var m in batch.Updated)
            {
                BindFacts(update, m).Bind(8, Micros(m.UpdatedAt)).Execute();
            }
        }

        using (var address = new SqliteBulkStatement(sqlite, "INSERT INTO machine_addresses (kind, address, hardware_name) VALUES (?1, ?2, ?3)"))
        {
            foreach (var a in batch.Addresses)
            {
                address.Bind(1, a.Kind).Bind(2, a.Address).Bind(3, a.HardwareName).Execute();
            }
        }

        using (var audit = new SqliteBulkStatement(sqlite, "INSERT INTO audit_log (hardware_name, at, actor, action, from_state, to_state, reason, job_id, commit_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"))
        {
            foreach (var row in batch.Audit)
            {
                audit.Bind(1, row.HardwareName).Bind(2, Micros(row.At)).Bind(3, row.Actor).Bind(4, row.Action.ToWire())
                    .Bind(5, row.From?.ToWire()).Bind(6, row.To?.ToWire()).Bind(7, row.Reason).Bind(8, row.JobId).Bind(9, row.Commit).Bind(10, row.Detail)
                    .Execute();
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes of this process share transactions: <see cref="SqliteGroupCommit"/>.</summary>
    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken cancellationToken) =>
        writes.WriteAsync(body, cancellationToken);

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    /// <summary>Parameters 1-7: the name and the hardware facts, shared by insert and update.</summary>
    private static SqliteBulkStatement BindFacts(SqliteBulkStatement statement, Machine m) =>
        statement.Bind(1, m.HardwareName).Bind(2, m.HardwareType).Bind(3, m.Site).Bind(4, m.Rack)
            .Bind(5, m.Bmc?.Address).Bind(6, m.Bmc?.Port).Bind(7, MachineRows.EncodeInterfaces(m.Interfaces));

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
