using System.Collections.Immutable;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Fleet.State.Inventory;
using Fleet.Engine.Inventory;

namespace Fleet.State.Backends;

/// <summary>
/// What differs between PostgreSQL and SQLite, and nothing else: connections, write transactions,
/// locks, time columns, error translation and bulk loading. Stores (inventory today; jobs, locks and
/// the ledger as sibling classes) hold one and write their SQL once for both.
/// </summary>
internal abstract class StateBackend : IAsyncDisposable
{
    protected StateBackend(InventoryLocation location)
    {
        Location = location;
    }

    public InventoryLocation Location { get; }

    /// <summary>The folder of <c>Migrations/</c> holding this backend's SQL.</summary>
    public abstract string MigrationFolder { get; }

    /// <summary>Appended to a SELECT that is followed by an UPDATE of the same row in one transaction.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>An open connection; a database that is down or refuses us becomes a <see cref="Engine.Diagnostics.FleetException"/>.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>A transaction that may write. On SQLite it takes the write lock up front (BEGIN IMMEDIATE) so it never fails to upgrade.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// A transaction that holds the schema lock until it ends, so that two processes opening the
    /// database at once migrate it once (PostgreSQL: transaction advisory lock; SQLite: the write lock).
    /// </summary>
    public abstract Task<DbTransaction> BeginSchemaChangeAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Serialises ingests with each other for the rest of <paramref name="transaction"/>.</summary>
    public abstract Task LockIngestAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    public abstract object TimeValue(DateTimeOffset time);

    /// <summary>A time as both backends store it (UTC, microseconds), so a row returned by a write equals the row read back.</summary>
    public static DateTimeOffset Stored(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Turns a driver failure into a user error when it is one (connection refused, bad password, not a database).</summary>
    public abstract Exception Translate(DbException exception);

    /// <summary>Writes the machines, addresses and audit entries of one ingest in bulk.</summary>
    public abstract Task WriteIngestAsync(DbConnection connection, DbTransaction transaction, IngestBatch batch, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Runs a SELECT of <see cref="MachineRows.Columns"/>; a backend may read rows faster than ADO.NET does.
    /// Collects in its own loop: going through <see cref="StreamMachinesAsync"/> costs an async
    /// iterator step per row, about 10% of a cold 100,000-row read.
    /// </summary>
    public virtual async Task<ImmutableArray<Machine>> ReadMachinesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var machines = ImmutableArray.CreateBuilder<Machine>();
        var row = new DbMachineRow(reader, this, new SharedStrings());
        while (await reader.ReadAsync(cancellationToken))
        {
            machines.Add(MachineRows.Read(ref row));
        }

        return machines.DrainToImmutable();
    }

    /// <summary>The same rows one at a time, as they arrive, so a caller can write them out without holding them all.</summary>
    public virtual async IAsyncEnumerable<Machine> StreamMachinesAsync(DbCommand command, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var row = new DbMachineRow(reader, this, new SharedStrings());
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return MachineRows.Read(ref row);
        }
    }

    /// <summary>Runs a read on its own connection; driver failures that are user errors become <see cref="Engine.Diagnostics.FleetException"/>.</summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            return await body(connection);
        }
        catch (DbException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>
    /// Runs a read of exactly one statement that needs no session of its own, such as a lookup by
    /// key that many concurrent jobs make; PostgreSQL multiplexes these. Otherwise as <see cref="ReadAsync{T}"/>.
    /// </summary>
    public virtual Task<T> ReadStatementAsync<T>(Func<DbConnection, Task<T>> body, CancellationToken cancellationToken) =>
        ReadAsync(body, cancellationToken);

    /// <summary>
    /// Streams the machines <paramref name="query"/> selects, on a connection of their own held until
    /// the enumeration ends; driver failures that are user errors become
    /// <see cref="Engine.Diagnostics.FleetException"/>, as in <see cref="ReadAsync{T}"/>.
    /// </summary>
    public async IAsyncEnumerable<Machine> StreamMachinesAsync(Func<DbConnection, DbCommand> query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            connection = await OpenConnectionAsync(cancellationToken);
        }
        catch (DbException e)
        {
            throw Translate(e);
        }

        await using (connection)
        {
            using var command = query(connection);
            await using var machines = StreamMachinesAsync(command, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await machines.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (DbException e)
                {
                    throw Translate(e);
                }

                yield return machines.Current;
            }
        }
    }

    /// <summary>
    /// Runs a write of exactly one statement that needs no session of its own. A statement is atomic
    /// on its own, so PostgreSQL runs it without BEGIN and COMMIT (one round trip instead of two) and
    /// multiplexes it; SQLite sends it through <see cref="WriteAsync{T}"/>, where it shares a group commit. The transaction handed to
    /// <paramref name="body"/> is null when there is none.
    /// </summary>
    public virtual Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> body, CancellationToken cancellationToken) =>
        WriteAsync<T>((connection, transaction) => body(connection, transaction), cancellationToken);

    /// <summary>
    /// Runs <paramref name="body"/> in a write transaction: its writes are committed when it returns
    /// (before this task completes) and rolled back when it throws.
    /// </summary>
    public virtual async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken);
            var result = await body(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (DbException e)
        {
            throw Translate(e);
        }
    }
}

/// <summary>The rows one ingest writes, computed by the inventory store before any write.</summary>
internal sealed record IngestBatch(
    IReadOnlyList<Machine> Created,
    IReadOnlyList<Machine> Updated,
    IReadOnlyList<AddressRow> Addresses,
    IReadOnlyList<AuditRow> Audit);

/// <summary>A MAC or IP and the machine that owns it; the table's primary key makes ownership unique.</summary>
internal readonly record struct AddressRow(string Kind, string Address, string HardwareName)
{
    public const string Mac = "mac";
    public const string Ip = "ip";
}

internal sealed record AuditRow(
    string HardwareName,
    DateTimeOffset At,
    string Actor,
    AuditAction Action,
    MachineState? From,
    MachineState? To,
    string? Reason,
    string? JobId,
    string? Commit,
    string? Detail);
