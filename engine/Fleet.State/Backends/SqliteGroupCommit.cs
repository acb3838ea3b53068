using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Fleet.State.Backends;

/// <summary>
/// Group commit for one process's SQLite writes. SQLite has one writer at a time, so writes that
/// arrive while a transaction runs wait for it and then share the next one (a hundred concurrent jobs
/// otherwise pay a connection, a BEGIN IMMEDIATE and a commit each). Each write runs in its own
/// savepoint, so one that throws rolls back alone and the others commit; every caller learns its
/// result only once the shared transaction has committed, so nothing is reported done before it is
/// recorded. Writes of other processes still wait on SQLite's busy timeout.
/// </summary>
internal sealed class SqliteGroupCommit(SqliteBackend backend)
{
    private readonly Lock gate = new();
    private List<IPendingWrite> queue = [];
    private bool draining;

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var write = new PendingWrite<T>(body, cancellationToken);
        bool start;
        lock (gate)
        {
            queue.Add(write);
            start = !draining;
            draining = true;
        }

        if (start)
        {
            // On the thread pool: the caller (say, the executor starting changes) must not run other callers' writes.
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return write.Task;
    }

    /// <summary>Runs queued writes a transaction at a time, on one connection, until none is left.</summary>
    private async Task DrainAsync()
    {
        Connection? connection = null;
        try
        {
            while (TakeBatch() is { } batch)
            {
                var live = batch.Where(w => !w.CancelIfRequested()).ToList();
                if (live.Count == 0)
                {
                    continue;
                }

                try
                {
                    connection ??= await Connection.OpenAsync(backend);
                    await connection.CommitAsync(live);
                    foreach (var write in live)
                    {
                        write.Complete(backend);
                    }
                }
                catch (Exception e)
                {
                    var failure = e is DbException db ? backend.Translate(db) : e;
                    foreach (var write in live)
                    {
                        write.Fail(failure);
                    }

                    // Start the next transaction on a fresh connection, whatever state this one is in.
                    (var broken, connection) = (connection, null);
                    await DiscardAsync(broken);
                }
            }
        }
        finally
        {
            await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
    }

    /// <summary>
    /// Closes a connection whose transaction failed. Its writers were told why; a failure to close
    /// it as well has nothing to add, and must not stop the drain (queued writes would wait forever).
    /// </summary>
    private static async Task DiscardAsync(Connection? connection)
    {
        try
        {
            await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // Reported through the writes already.
        }
    }

    /// <summary>The writes queued so far, or null (and no longer draining) when there are none.</summary>
    private List<IPendingWrite>? TakeBatch()
    {
        lock (gate)
        {
            if (queue.Count == 0)
            {
                draining = false;
                return null;
            }

            var batch = queue;
            queue = [];
            return batch;
        }
    }

    /// <summary>The connection of one drain, with its savepoint statements prepared once.</summary>
    private sealed class Connection(SqliteBackend backend, SqliteConnection connection) : IAsyncDisposable
    {
        private readonly SqliteCommand save = Prepare(connection, "SAVEPOINT write");
        private readonly SqliteCommand rollback = Prepare(connection, "ROLLBACK TO write");
        private readonly SqliteCommand release = Prepare(connection, "RELEASE write");

        public static async Task<Connection> OpenAsync(SqliteBackend backend) =>
            new(backend, (SqliteConnection)await backend.OpenConnectionAsync(CancellationToken.None));

        /// <summary>
        /// Runs the writes in one transaction and commits it; each write has its own savepoint, so one
        /// that throws is rolled back alone (a lone write needs none: its failure rolls back the transaction).
        /// </summary>
        public async Task CommitAsync(List<IPendingWrite> writes)
        {
            await using var transaction = await backend.BeginWriteAsync(connection, CancellationToken.None);
            if (writes.Count == 1)
            {
                if (await writes[0].RunAsync(connection, transaction))
                {
                    await transaction.CommitAsync(CancellationToken.None);
                }

                return;
            }

            save.Transaction = rollback.Transaction = release.Transaction = (SqliteTransaction)transaction;
            foreach (var write in writes)
            {
                save.ExecuteNonQuery();
                if (!await write.RunAsync(connection, transaction))
                {
                    rollback.ExecuteNonQuery();
                }

                release.ExecuteNonQuery();
            }

            await transaction.CommitAsync(CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await save.DisposeAsync();
            await rollback.DisposeAsync();
            await release.DisposeAsync();
            await connection.DisposeAsync();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            return command;
        }
    }

    private interface IPendingWrite
    {
        /// <summary>Cancels a write whose caller gave up before it ran; true when it did.</summary>
        bool CancelIfRequested();

        /// <summary>Runs the write; false when it threw (the exception is kept for <see cref="Complete"/>).</summary>
        Task<bool> RunAsync(DbConnection connection, DbTransaction transaction);

        /// <summary>Hands the caller its result or exception, once the transaction committed.</summary>
        void Complete(StateBackend backend);

        /// <summary>The shared transaction failed: the write was not recorded.</summary>
        void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken cancellationToken) : IPendingWrite
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;
        private Exception? error;

        public Task<T> Task => completion.Task;

        public bool CancelIfRequested() => cancellationToken.IsCancellationRequested && completion.TrySetCanceled(cancellationToken);

        public async Task<bool> RunAsync(DbConnection connection, DbTransaction transaction)
        {
            try
            {
                result = await body(connection, transaction);
                return true;
            }
            catch (Exception e)
            {
                error = e;
                return false;
            }
        }

        public void Complete(StateBackend backend)
        {
            switch (error)
            {
                case null:
                    completion.TrySetResult(result!);
                    break;
                case OperationCanceledException cancelled:
                    completion.TrySetCanceled(cancelled.CancellationToken);
                    break;
                case DbException db:
                    completion.TrySetException(backend.Translate(db));
                    break;
                default:
                    completion.TrySetException(error);
                    break;
            }
        }

        public void Fail(Exception exception) => completion.TrySetException(exception);
    }
}
