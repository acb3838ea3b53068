using System.Data.Common;
using System.Net.Sockets;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.State.Inventory;
using Npgsql;
using NpgsqlTypes;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Backends;

/// <summary>
/// PostgreSQL for teams and CI: row locks and compare-and-swap for claims, advisory locks for
/// migrations and ingests, binary COPY for bulk loads.
/// </summary>
internal sealed class PostgresBackend : StateBackend
{
    /// <summary>Advisory lock keys of fleetctl ("flt" + a number per purpose).</summary>
    private const long SchemaLockKey = 0x666c74_0001;
    private const long IngestLockKey = 0x666c74_0002;

    /// <summary>Connections of their own: transactions, COPY, the apply lock's session.</summary>
    private readonly NpgsqlDataSource dataSource;

    /// <summary>
    /// Statements that stand alone (autocommit, no session state), multiplexed: the statements of a
    /// hundred concurrent jobs share a few connections and go to the server in common writes, rather
    /// than each waking its own server process.
    /// </summary>
    private readonly NpgsqlDataSource statements;

    public PostgresBackend(InventoryLocation location)
        : base(location)
    {
        var builder = new NpgsqlDataSourceBuilder(location.ConnectionTarget);

        // The schema uses built-in types only: skip loading the server's type catalogue, a query of
        // several hundred rows on every start of a one-shot command.
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));

        // An apply sends the same few statements thousands of times (job rows, machine transitions):
        // prepared on each pooled connection after their second use, the server stops parsing and
        // planning them. Pooled connections are not reset when returned (a reset would also cost a
        // statement per use): fleetctl keeps no session state on them, the apply lock's advisory
        // lock is released before its connection closes, and Npgsql rolls back any open transaction.
        // A connection string that names these settings keeps its own.
        var given = new DbConnectionStringBuilder { ConnectionString = location.ConnectionTarget };
        SetUnlessGiven(builder.ConnectionStringBuilder, given, "Max Auto Prepare", 64);
        SetUnlessGiven(builder.ConnectionStringBuilder, given, "Auto Prepare Min Usages", 2);
        SetUnlessGiven(builder.ConnectionStringBuilder, given, "No Reset On Close", true);
        builder.ConnectionStringBuilder.Multiplexing = false;
        dataSource = builder.Build();

        builder.ConnectionStringBuilder.Multiplexing = true;
        statements = builder.Build();
    }

    public override string MigrationFolder => "postgres";

    public override string ForUpdate => " FOR UPDATE";

    public override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(dataSource, cancellationToken);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    /// <summary>In autocommit (the statement is its own transaction), multiplexed.</summary>
    public override Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> body, CancellationToken cancellationToken) =>
        StatementAsync(connection => body(connection, null), cancellationToken);

    /// <summary>Multiplexed.</summary>
    public override Task<T> ReadStatementAsync<T>(Func<DbConnection, Task<T>> body, CancellationToken cancellationToken) =>
        StatementAsync(body, cancellationToken);

    public override async Task<DbTransaction> BeginSchemaChangeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, SchemaLockKey, cancellationToken);
        return transaction;
    }

    public override Task LockIngestAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        LockAsync(connection, transaction, IngestLockKey, cancellationToken);

    public override object TimeValue(DateTimeOffset time) => time.UtcDateTime;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override Exception Translate(DbException exception)
    {
        var where = Location.Display;
        return exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } e =>
                new FleetException($"inventory {where}: PostgreSQL refused the login: {InventoryLocation.Redact(e.MessageText)}"),
            PostgresException e =>
                new FleetException($"inventory {where}: PostgreSQL error {e.SqlState}: {InventoryLocation.Redact(e.MessageText)}"),
            NpgsqlException { InnerException: SocketException s } =>
                new FleetException($"inventory {where}: cannot connect to PostgreSQL ({Describe(s.SocketErrorCode)})"),
            NpgsqlException { InnerException: TimeoutException } =>
                new FleetException($"inventory {where}: timed out connecting to PostgreSQL"),
            NpgsqlException e =>
                new FleetException($"inventory {where}: {InventoryLocation.Redact(e.Message)}"),
            _ => exception,
        };
    }

    public override async Task WriteIngestAsync(DbConnection connection, DbTransaction transaction, IngestBatch batch, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        await CopyMachinesAsync(npgsql, "machines", batch.Created, cancellationToken);

        if (batch.Updated.Count > 0)
        {
            // Changed machines go through a staging table and one set-based merge. The version is
            // bumped from the row itself: a transition may have committed since the ingest read it.
            using (var stage = Command(connection, transaction, "CREATE TEMP TABLE ingest_machines (LIKE machines INCLUDING DEFAULTS) ON COMMIT DROP"))
            {
                await stage.ExecuteNonQueryAsync(cancellationToken);
            }

            await CopyMachinesAsync(npgsql, "ingest_machines", batch.Updated, cancellationToken);
            using var merge = Command(connection, transaction, """
                DELETE FROM machine_addresses a USING ingest_machines s WHERE a.hardware_name = s.hardware_name;
                UPDATE machines m SET hardware_type = s.hardware_type, site = s.site, rack = s.rack,
                    bmc_address = s.bmc_address, bmc_port = s.bmc_port, interfaces = s.interfaces,
                    updated_at = s.updated_at, version = m.version + 1
                FROM ingest_machines s WHERE m.hardware_name = s.hardware_name;
                """);
            await merge.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var addresses = await npgsql.BeginBinaryImportAsync("COPY machine_addresses (kind, address, hardware_name) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var a in batch.Addresses)
            {
                addresses.StartRow();
                addresses.Write(a.Kind, NpgsqlDbType.Text);
                addresses.Write(a.Address, NpgsqlDbType.Text);
                addresses.Write(a.HardwareName, NpgsqlDbType.Text);
            }

            await addresses.CompleteAsync(cancellationToken);
        }

        await using var audit = await npgsql.BeginBinaryImportAsync(
            "COPY audit_log (hardware_name, at, actor, action, from_state, to_state, reason, job_id, commit_id, detail) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in batch.Audit)
        {
            audit.StartRow();
            audit.Write(row.HardwareName, NpgsqlDbType.Text);
            audit.Write(row.At.UtcDateTime, NpgsqlDbType.TimestampTz);
            audit.Write(row.Actor, NpgsqlDbType.Text);
            audit.Write(row.Action.ToWire(), NpgsqlDbType.Text);
            WriteText(audit, row.From?.ToWire());
            WriteText(audit, row.To?.ToWire());
            WriteText(audit, row.Reason);
            WriteText(audit, row.JobId);
            WriteText(audit, row.Commit);
            WriteText(audit, row.Detail);
        }

        await audit.CompleteAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await statements.DisposeAsync();
        await dataSource.DisposeAsync();
    }

    private static async Task CopyMachinesAsync(NpgsqlConnection connection, string table, IReadOnlyList<Machine> machines, CancellationToken cancellationToken)
    {
        if (machines.Count == 0)
        {
            return;
        }

        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({MachineRows.Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var m in machines)
        {
            importer.StartRow();
            importer.Write(m.HardwareName, NpgsqlDbType.Text);
            importer.Write(m.HardwareType, NpgsqlDbType.Text);
            importer.Write(m.Site, NpgsqlDbType.Text);
            WriteText(importer, m.Rack);
            WriteText(importer, m.Bmc?.Address);
            if (m.Bmc?.Port is { } port)
            {
                importer.Write(port, NpgsqlDbType.Integer);
            }
            else
            {
                importer.WriteNull();
            }

            importer.Write(MachineRows.EncodeInterfaces(m.Interfaces), NpgsqlDbType.Text);
            importer.Write(m.State.ToWire(), NpgsqlDbType.Text);
            WriteText(importer, m.Hostname);
            WriteText(importer, m.Role);
            WriteText(importer, m.Pool);
            WriteText(importer, m.Image);
            importer.Write(m.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            importer.Write(m.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            importer.Write(m.Version, NpgsqlDbType.Bigint);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static void WriteText(NpgsqlBinaryImporter importer, string? value)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, NpgsqlDbType.Text);
        }
    }

    private static async Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
        Parameter(command, "@key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbConnection> OpenAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        try
        {
            return await source.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    private async Task<T> StatementAsync<T>(Func<DbConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(statements, cancellationToken);
            return await body(connection);
        }
        catch (DbException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>Sets a connection setting the user's connection string does not name (in either spelling: with or without spaces).</summary>
    private static void SetUnlessGiven(NpgsqlConnectionStringBuilder settings, DbConnectionStringBuilder given, string keyword, object value)
    {
        if (!given.ContainsKey(keyword) && !given.ContainsKey(keyword.Replace(" ", string.Empty, StringComparison.Ordinal)))
        {
            settings[keyword] = value;
        }
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused: is the server running?",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
        SocketError.TimedOut => "timed out",
        _ => error.ToString(),
    };
}
