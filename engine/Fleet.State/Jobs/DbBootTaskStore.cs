using System.Data.Common;
using Dapper;
using Fleet.Engine.Jobs;
using Fleet.State.Backends;

namespace Fleet.State.Jobs;

/// <summary>
/// Boot tasks on PostgreSQL or SQLite: one row per machine in <c>boot_tasks</c>. Issuing a token and
/// recording a completion are single conditional statements, so two callbacks with the same token
/// cannot both be accepted, on either backend.
/// </summary>
internal sealed class DbBootTaskStore(StateBackend db) : IBootTaskStore
{
    private const string Columns = "machine, kind, job_id, started_at, succeeded, error, completed_at";

    public Task StartAsync(string machine, string kind, string? jobId, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        db.WriteStatementAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO boot_tasks (machine, kind, job_id, started_at) VALUES (@machine, @kind, @jobId, CAST(@startedAt AS {db.TimeType()}))
                ON CONFLICT (machine) DO UPDATE SET kind = excluded.kind, job_id = excluded.job_id, started_at = excluded.started_at,
                    token_hash = NULL, succeeded = NULL, error = NULL, completed_at = NULL
                """,
                new { machine, kind, jobId, startedAt = db.TimeValue(startedAt) },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

    public Task<BootTask?> IssueTokenAsync(string machine, string kind, byte[] tokenHash, CancellationToken cancellationToken) =>
        db.WriteStatementAsync(
            async (connection, transaction) =>
            {
                await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                    $"UPDATE boot_tasks SET token_hash = @tokenHash WHERE machine = @machine AND kind = @kind AND completed_at IS NULL RETURNING {Columns}",
                    new { machine, kind, tokenHash },
                    transaction,
                    cancellationToken: cancellationToken));
                return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
            },
            cancellationToken);

    public Task<bool> CompleteAsync(byte[] tokenHash, bool succeeded, string? error, DateTimeOffset completedAt, CancellationToken cancellationToken) =>
        db.WriteStatementAsync(
            async (connection, transaction) => await connection.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE boot_tasks SET succeeded = @succeeded, error = @error, completed_at = CAST(@completedAt AS {db.TimeType()}), token_hash = NULL
                WHERE token_hash = @tokenHash AND completed_at IS NULL
                """,
                new { tokenHash, succeeded, error, completedAt = db.TimeValue(completedAt) },
                transaction,
                cancellationToken: cancellationToken)) == 1,
            cancellationToken);

    public Task<BootTask?> GetAsync(string machine, CancellationToken cancellationToken) =>
        db.ReadStatementAsync(
            async connection =>
            {
                await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                    $"SELECT {Columns} FROM boot_tasks WHERE machine = @machine", new { machine }, cancellationToken: cancellationToken));
                return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
            },
            cancellationToken);

    private BootTask Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        db.ReadTime(reader, 3),
        reader.IsDBNull(4) ? null : reader.GetBoolean(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        db.ReadNullableTime(reader, 6));
}
