using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fleet.State.Jobs;

public enum StateBackend
{
    Postgres,
    Sqlite,
}

/// <summary>
/// Opens connections to the state database and knows the few places where the two backends' SQL
/// differs: the type of time columns (timestamptz vs Unix milliseconds), JSON columns, and how a
/// claim locks (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>; SQLite: an immediate transaction).
/// </summary>
public sealed class StateConnections
{
    private readonly Func<CancellationToken, Task<DbConnection>> open;

    private StateConnections(StateBackend backend, Func<CancellationToken, Task<DbConnection>> open, string? sqlitePath)
    {
        Backend = backend;
        this.open = open;
        SqlitePath = sqlitePath;
    }

    public StateBackend Backend { get; }

    /// <summary>The database file, for SQLite (the apply lock is a file beside it).</summary>
    public string? SqlitePath { get; }

    public static StateConnections ForPostgres(NpgsqlDataSource dataSource) =>
        new(StateBackend.Postgres, async ct => await dataSource.OpenConnectionAsync(ct), null);

    public static StateConnections ForSqlite(string path)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        return new(StateBackend.Sqlite, async ct =>
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
            await pragmas.ExecuteNonQueryAsync(ct);
            return connection;
        }, Path.GetFullPath(path));
    }

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => open(cancellationToken);

    /// <summary>SQL type of time columns, for casts of possibly-null parameters.</summary>
    internal string TimeType => Backend == StateBackend.Postgres ? "timestamptz" : "INTEGER";

    internal string JsonType => Backend == StateBackend.Postgres ? "jsonb" : "TEXT";

    internal string SkipLocked => Backend == StateBackend.Postgres ? "FOR UPDATE SKIP LOCKED" : string.Empty;

    /// <summary>A time as a parameter value of this backend.</summary>
    internal object? Time(DateTimeOffset? time) => time switch
    {
        null => null,
        { } t when Backend == StateBackend.Postgres => t.ToUniversalTime(),
        { } t => t.ToUnixTimeMilliseconds(),
    };

    /// <summary>A time column as read back from either backend.</summary>
    internal static DateTimeOffset? ReadTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal)
            ? null
            : reader.GetValue(ordinal) switch
            {
                DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
                DateTimeOffset dto => dto,
                long ms => DateTimeOffset.FromUnixTimeMilliseconds(ms),
                var other => throw new InvalidCastException($"unexpected time value of type {other.GetType().Name}"),
            };

    /// <summary>Starts a write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE), so claims never deadlock on upgrade.</summary>
    internal async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken);
}
