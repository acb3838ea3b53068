using System.Data.Common;
using Dapper;
using Fleet.Engine.Locking;
using Fleet.State.Backends;
using Fleet.State.Jobs;
using Npgsql;

namespace Fleet.State.Locking;

/// <summary>
/// The fleet-wide apply lock. PostgreSQL: a session advisory lock on a connection held for the whole
/// apply. SQLite: an exclusive OS lock (flock) on a file beside the database. Both vanish with the
/// holder's process, so no force-unlock is ever needed. The holder's name is kept in a table only to
/// tell the next one who it is waiting for.
/// </summary>
internal sealed class DbApplyLock(StateBackend db, TimeProvider clock) : IApplyLock
{
    /// <summary>The advisory lock key: "fleetapl" in ASCII.</summary>
    private const long AdvisoryKey = 0x666c65657461706c;

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The lock file of a SQLite database: the database path plus <c>.apply-lock</c>.</summary>
    public string? LockFilePath => db.IsPostgres() ? null : db.Location.ConnectionTarget + ".apply-lock";

    public async Task<IAsyncDisposable> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        while (true)
        {
            if (await TryTakeAsync(cancellationToken) is { } taken)
            {
                await RecordHolderAsync(holder, cancellationToken);
                return taken;
            }

            var waited = clock.GetUtcNow() - started;
            if (waited >= wait)
            {
                // "(waited N s)" only when asked to wait: a refusal at once took a few milliseconds, not a wait.
                throw ApplyLockErrors.Held(await ReadHolderAsync(cancellationToken), wait > TimeSpan.Zero ? waited : TimeSpan.Zero);
            }

            await Task.Delay(RetryInterval, clock, cancellationToken);
        }
    }

    public async Task<LockHolder?> GetHolderAsync(CancellationToken cancellationToken)
    {
        if (await TryTakeAsync(cancellationToken) is { } taken)
        {
            await taken.DisposeAsync();
            return null;
        }

        return await ReadHolderAsync(cancellationToken);
    }

    private async Task<IAsyncDisposable?> TryTakeAsync(CancellationToken cancellationToken)
    {
        if (LockFilePath is { } path)
        {
            try
            {
                // FileShare.None is an exclusive flock(2) on Unix: it dies with the process.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException)
            {
                return null;
            }
        }

        var connection = await db.OpenConnectionAsync(cancellationToken);
        var locked = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@key)", new { key = AdvisoryKey }, cancellationToken: cancellationToken));
        if (!locked)
        {
            await connection.DisposeAsync();
            return null;
        }

        return new AdvisoryLock(connection);
    }

    private async Task RecordHolderAsync(LockHolder holder, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO apply_lock_holder (id, user_name, host, pid, "commit", since)
            VALUES (1, @user, @host, @pid, @commit, CAST(@since AS {db.TimeType()}))
            ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, host = excluded.host, pid = excluded.pid,
                "commit" = excluded."commit", since = excluded.since
            """,
            new { user = holder.User, host = holder.Host, pid = holder.Pid, commit = holder.Commit, since = db.Time(holder.Since) },
            cancellationToken: cancellationToken));
    }

    private async Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            """SELECT user_name, host, pid, "commit", since FROM apply_lock_holder WHERE id = 1""", cancellationToken: cancellationToken));
        return await reader.ReadAsync(cancellationToken)
            ? new LockHolder(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3), db.ReadTime(reader, 4))
            : null;
    }

    /// <summary>Holds the advisory lock's session open; closing it releases the lock.</summary>
    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryKey });
            }
            catch (NpgsqlException)
            {
                // The session is gone, and the lock with it.
            }

            await connection.DisposeAsync();
        }
    }
}
