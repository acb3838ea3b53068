using System.Collections.Immutable;
using Dapper;
using Fleet.Engine.Jobs;
using Fleet.State.Backends;

namespace Fleet.State.Jobs;

/// <summary>
/// <see cref="IJobActivity"/> on PostgreSQL or SQLite: counts per site over the apply's jobs (index
/// on <c>apply_id</c>) and the few running jobs whose lease has expired, on one connection.
/// </summary>
internal sealed class DbJobActivity(StateBackend db) : IJobActivity
{
    /// <summary>Expired leases listed at most; an apply with more has lost whole workers, and says so with the first ones.</summary>
    private const int ExpiredLeasesListed = 20;

    /// <summary>Taken-over jobs listed at most; the watch reports each takeover once, so the list only needs to hold the unreported ones.</summary>
    private const int TakeoversListed = 1000;

    public Task<JobActivity> OfApplyAsync(string applyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var time = db.TimeType();
        var counts = $"""
            SELECT site,
                COALESCE(SUM(CASE WHEN (status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= CAST(@now AS {time})))
                                    OR (status = 'running' AND lease_until < CAST(@now AS {time})) THEN 1 ELSE 0 END), 0) AS due,
                COALESCE(SUM(CASE WHEN status = 'queued' AND next_attempt_at > CAST(@now AS {time}) THEN 1 ELSE 0 END), 0) AS waiting,
                COALESCE(SUM(CASE WHEN status = 'running' AND lease_until >= CAST(@now AS {time}) THEN 1 ELSE 0 END), 0) AS running,
                COALESCE(SUM(attempts), 0) AS claims
            FROM jobs WHERE apply_id = @applyId
            GROUP BY site ORDER BY site
            """;
        var expired = $"""
            SELECT id, action, target, worker, lease_until, attempts FROM jobs
            WHERE apply_id = @applyId AND status = 'running' AND lease_until < CAST(@now AS {time})
            ORDER BY id LIMIT {ExpiredLeasesListed}
            """;
        var takeovers = $"""
            SELECT id, action, target, lost_worker, lost_lease_until, lost_attempt, takeovers, worker FROM jobs
            WHERE apply_id = @applyId AND takeovers > 0
            ORDER BY id LIMIT {TakeoversListed}
            """;
        var parameters = new { applyId, now = db.Time(now) };
        return db.ReadAsync(
            async connection =>
            {
                var sites = (await connection.QueryAsync<(string? Site, long Due, long Waiting, long Running, long Claims)>(
                    new CommandDefinition(counts, parameters, cancellationToken: cancellationToken))).ToList();
                var leases = ImmutableArray.CreateBuilder<ExpiredLease>();
                await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(expired, parameters, cancellationToken: cancellationToken)))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        leases.Add(new ExpiredLease(
                            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? "?" : reader.GetString(3),
                            db.ReadTime(reader, 4), reader.GetInt32(5)));
                    }
                }

                await using var taken = await connection.ExecuteReaderAsync(new CommandDefinition(takeovers, parameters, cancellationToken: cancellationToken));
                var takenOver = ImmutableArray.CreateBuilder<Takeover>();
                while (await taken.ReadAsync(cancellationToken))
                {
                    takenOver.Add(new Takeover(
                        new ExpiredLease(taken.GetInt64(0), taken.GetString(1), taken.GetString(2), taken.IsDBNull(3) ? "?" : taken.GetString(3),
                            db.ReadTime(taken, 4), taken.GetInt32(5)),
                        taken.GetInt32(6),
                        taken.IsDBNull(7) ? null : taken.GetString(7)));
                }

                return new JobActivity(
                    (int)sites.Sum(s => s.Due), (int)sites.Sum(s => s.Waiting), (int)sites.Sum(s => s.Running), sites.Sum(s => s.Claims), leases.ToImmutable(),
                    [.. sites.Select(s => new SiteJobActivity(s.Site, (int)s.Due, (int)s.Running, s.Claims))])
                {
                    Takeovers = takenOver.ToImmutable(),
                };
            },
            cancellationToken);
    }
}
