using System.Collections.Immutable;
using System.Text.Json;
using Dapper;
using Fleet.Engine.Execution;
using Fleet.State.Backends;
using Fleet.State.Jobs;

namespace Fleet.State.History;

/// <summary>The record of every apply, on PostgreSQL or SQLite.</summary>
internal sealed class DbApplyHistory(StateBackend db) : IApplyHistory
{
    public async Task StartAsync(ApplyRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO apply_history (id, user_name, host, "commit", plan_checksum, started_at, ended_at, result, counts)
            VALUES (@id, @user, @host, @commit, @checksum, CAST(@started AS {db.TimeType()}), CAST(@ended AS {db.TimeType()}), @result, CAST(@counts AS {db.JsonType()}))
            """,
            new
            {
                id = record.Id,
                user = record.User,
                host = record.Host,
                commit = record.Commit,
                checksum = record.PlanChecksum,
                started = db.Time(record.StartedAt),
                ended = db.Time(record.EndedAt),
                result = record.Result,
                counts = JsonSerializer.Serialize(record.Counts),
            },
            cancellationToken: cancellationToken));
    }

    public async Task FinishAsync(string id, DateTimeOffset endedAt, string result, string? planChecksum, ImmutableSortedDictionary<string, int> counts, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE apply_history SET ended_at = CAST(@ended AS {db.TimeType()}), result = @result, " +
            $"plan_checksum = COALESCE(CAST(@checksum AS TEXT), plan_checksum), counts = CAST(@counts AS {db.JsonType()}) WHERE id = @id",
            new { id, ended = db.Time(endedAt), result, checksum = planChecksum, counts = JsonSerializer.Serialize(counts) },
            cancellationToken: cancellationToken));
    }

    public async Task<int> MarkInterruptedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE apply_history SET result = @interrupted, ended_at = CAST(@now AS {db.TimeType()}) WHERE result = @running",
            new { interrupted = ApplyResults.Interrupted, running = ApplyResults.Running, now = db.Time(now) },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ApplyRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            """
            SELECT id, user_name, host, "commit", plan_checksum, started_at, ended_at, result, counts
            FROM apply_history ORDER BY started_at DESC, id DESC LIMIT @limit
            """,
            new { limit },
            cancellationToken: cancellationToken));
        var records = new List<ApplyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ApplyRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                db.ReadTime(reader, 5),
                db.ReadNullableTime(reader, 6),
                reader.GetString(7),
                JsonSerializer.Deserialize<ImmutableSortedDictionary<string, int>>(reader.GetString(8)) ?? ImmutableSortedDictionary<string, int>.Empty));
        }

        return records;
    }
}
