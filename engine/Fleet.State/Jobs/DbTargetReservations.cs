using System.Collections.Immutable;
using System.Text.Json;
using Dapper;
using Fleet.Engine.Execution;
using Fleet.Engine.Jobs;
using Fleet.State.Backends;

namespace Fleet.State.Jobs;

/// <summary>
/// Reserved targets on PostgreSQL or SQLite: rows of <c>target_reservations</c> whose apply is still
/// running, plus the targets of unfinished jobs. Targets and candidates travel as one JSON array, so
/// a plan of thousands of installs is reserved, and thousands of candidates are checked, in one
/// statement on both backends.
/// </summary>
internal sealed class DbTargetReservations(StateBackend db) : ITargetReservations
{
    public Task ReserveAsync(string applyId, IEnumerable<string> targets, CancellationToken cancellationToken) =>
        db.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM target_reservations WHERE apply_id <> @applyId", new { applyId }, transaction, cancellationToken: cancellationToken));
                var elements = db.IsPostgres() ? "jsonb_array_elements_text(CAST(@targets AS jsonb))" : "json_each(@targets)";
                return await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO target_reservations (apply_id, target) SELECT @applyId, value FROM {elements} WHERE true ON CONFLICT DO NOTHING",
                    new { applyId, targets = JsonSerializer.Serialize(targets.Distinct(StringComparer.Ordinal)) },
                    transaction,
                    cancellationToken: cancellationToken));
            },
            cancellationToken);

    public async Task<ImmutableArray<string>> UnreservedAsync(IEnumerable<string> candidates, CancellationToken cancellationToken)
    {
        // Each NOT IN subquery is evaluated once into a hashed set (both backends), so this costs one
        // pass over the reservations and returns only the few candidates that are free.
        var elements = db.IsPostgres()
            ? "jsonb_array_elements_text(CAST(@candidates AS jsonb)) WITH ORDINALITY AS c(value, key)"
            : "json_each(@candidates) AS c";
        var free = await db.ReadAsync(
            connection => connection.QueryAsync<string>(new CommandDefinition(
                $"""
                SELECT c.value FROM {elements}
                WHERE c.value NOT IN (SELECT r.target FROM target_reservations r JOIN apply_history h ON h.id = r.apply_id WHERE h.result = @running)
                  AND c.value NOT IN (SELECT target FROM jobs WHERE status IN ('queued', 'running'))
                ORDER BY c.key
                """,
                new { candidates = JsonSerializer.Serialize(candidates), running = ApplyResults.Running },
                cancellationToken: cancellationToken)),
            cancellationToken);
        return [.. free];
    }
}
