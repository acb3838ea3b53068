using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Fleet.Engine.Jobs;
using Fleet.State.Backends;

namespace Fleet.State.Jobs;

/// <summary>
/// The job broker on PostgreSQL or SQLite (one implementation, the same behaviour, the same tests).
/// A claim is one UPDATE of the oldest due row; PostgreSQL skips rows other workers have locked so
/// many workers on many hosts never wait on each other; SQLite serializes writers.
/// </summary>
internal sealed class DbJobBroker(StateBackend db) : IJobBroker
{
    private const string Columns =
        """id, apply_id, change_id, action, target, site, params, status, attempts, next_attempt_at, lease_until, worker, requester, "commit", plan_checksum, created_at, started_at, ended_at, error, replacement_of, replaced_by""";

    private string Due => $"""
        ((status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= CAST(@now AS {db.TimeType()})))
         OR (status = 'running' AND lease_until < CAST(@now AS {db.TimeType()})))
        """;

    /// <summary>
    /// A claim; one of a job still running (its lease ran out: <see cref="Due"/>) is a takeover, and
    /// records the worker, lease and attempt it took over (the right-hand sides read the row as it was).
    /// </summary>
    private string ClaimSet => $"""
        status = 'running', worker = @worker, lease_until = CAST(@lease AS {db.TimeType()}), attempts = attempts + 1,
        started_at = COALESCE(started_at, CAST(@now AS {db.TimeType()})), next_attempt_at = NULL,
        takeovers = takeovers + CASE WHEN status = 'running' THEN 1 ELSE 0 END,
        lost_worker = CASE WHEN status = 'running' THEN worker ELSE lost_worker END,
        lost_lease_until = CASE WHEN status = 'running' THEN lease_until ELSE lost_lease_until END,
        lost_attempt = CASE WHEN status = 'running' THEN attempts ELSE lost_attempt END
        """;

    public Task<Job> EnqueueAsync(NewJob job, DateTimeOffset now, CancellationToken cancellationToken) =>
        InsertAsync(job, now, null, cancellationToken);

    public Task<Job> EnqueueClaimedAsync(NewJob job, JobClaim claim, CancellationToken cancellationToken) =>
        InsertAsync(job, claim.Now, claim, cancellationToken);

    /// <summary>Inserts the job and returns it as written, without reading it back (its params stay the caller's object).</summary>
    private async Task<Job> InsertAsync(NewJob job, DateTimeOffset now, JobClaim? claim, CancellationToken cancellationToken)
    {
        var sql = $"""
            INSERT INTO jobs (apply_id, change_id, action, target, site, params, status, attempts, worker, lease_until, started_at,
                              requester, "commit", plan_checksum, created_at, replacement_of)
            VALUES (@applyId, @changeId, @action, @target, @site, CAST(@params AS {db.JsonType()}), @status, @attempts, @worker,
                    CAST(@lease AS {db.TimeType()}), CAST(@started AS {db.TimeType()}),
                    @requester, @commit, @planChecksum, CAST(@now AS {db.TimeType()}), @replacementOf)
            RETURNING id
            """;
        var inserted = new Job(
            0, job.ApplyId, job.ChangeId, job.Action, job.Target, job.Site, job.Params,
            claim is null ? JobStatus.Queued : JobStatus.Running, claim is null ? 0 : 1,
            NextAttemptAt: null, Truncate(claim?.LeaseUntil), claim?.Worker, job.Requester, job.Commit, job.PlanChecksum,
            Truncate(now)!.Value, Truncate(claim?.Now), EndedAt: null, Error: null, job.ReplacementOf, ReplacedBy: null);
        var parameters = new
        {
            applyId = job.ApplyId,
            changeId = job.ChangeId,
            action = job.Action,
            target = job.Target,
            site = job.Site,
            @params = job.Params.ToJsonString(),
            status = inserted.Status.ToWire(),
            attempts = inserted.Attempts,
            worker = claim?.Worker,
            lease = db.Time(claim?.LeaseUntil),
            started = db.Time(claim?.Now),
            requester = job.Requester,
            commit = job.Commit,
            planChecksum = job.PlanChecksum,
            now = db.Time(now),
            replacementOf = job.ReplacementOf,
        };
        var id = await db.WriteStatementAsync(
            (connection, transaction) => connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
        return inserted with { Id = id };
    }

    public async Task<Job?> ClaimNextAsync(JobClaim claim, CancellationToken cancellationToken)
    {
        var sql = $"""
            UPDATE jobs SET {ClaimSet}
            WHERE id = (SELECT id FROM jobs WHERE {Due} AND (CAST(@site AS TEXT) IS NULL OR site = CAST(@site AS TEXT))
                        ORDER BY id LIMIT 1 {db.SkipLocked()})
            RETURNING {Columns}
            """;
        return (await WriteAsync(sql, ClaimParameters(claim, id: null), cancellationToken)).FirstOrDefault();
    }

    public async Task<Job?> ClaimAsync(long id, JobClaim claim, CancellationToken cancellationToken)
    {
        var sql = $"UPDATE jobs SET {ClaimSet} WHERE id = @id AND {Due} RETURNING {Columns}";
        return (await WriteAsync(sql, ClaimParameters(claim, id), cancellationToken)).FirstOrDefault();
    }

    public async Task<bool> HeartbeatAsync(long id, string worker, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"UPDATE jobs SET lease_until = CAST(@lease AS {db.TimeType()}) WHERE id = @id AND worker = @worker AND status = 'running'",
            new { id, worker, lease = db.Time(leaseUntil) },
            cancellationToken) == 1;

    public async Task<bool> FinishAsync(long id, string worker, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"""
            UPDATE jobs SET status = 'finished', ended_at = CAST(@now AS {db.TimeType()}), lease_until = NULL, error = NULL
            WHERE id = @id AND worker = @worker AND status = 'running'
            """,
            new { id, worker, now = db.Time(now) },
            cancellationToken) == 1;

    public async Task<bool> FailAttemptAsync(long id, string worker, DateTimeOffset now, string error, DateTimeOffset? nextAttemptAt, long? replacedBy, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"""
            UPDATE jobs SET
                status = CASE WHEN CAST(@next AS {db.TimeType()}) IS NULL THEN 'failed' ELSE 'queued' END,
                next_attempt_at = CAST(@next AS {db.TimeType()}),
                ended_at = CASE WHEN CAST(@next AS {db.TimeType()}) IS NULL THEN CAST(@now AS {db.TimeType()}) END,
                lease_until = NULL, error = @error, replaced_by = @replacedBy
            WHERE id = @id AND worker = @worker AND status = 'running'
            """,
            new { id, worker, now = db.Time(now), next = db.Time(nextAttemptAt), error, replacedBy },
            cancellationToken) == 1;

    public async Task<Job?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM jobs WHERE id = @id", new { id }, cancellationToken)).FirstOrDefault();

    public async Task<IReadOnlyList<Job>> ListAsync(JobQuery query, CancellationToken cancellationToken) =>
        await QueryAsync(
            $"""
            SELECT {Columns} FROM jobs
            WHERE (CAST(@status AS TEXT) IS NULL OR status = CAST(@status AS TEXT))
              AND (CAST(@applyId AS TEXT) IS NULL OR apply_id = CAST(@applyId AS TEXT))
              AND (CAST(@site AS TEXT) IS NULL OR site = CAST(@site AS TEXT))
              AND (CAST(@target AS TEXT) IS NULL OR target = CAST(@target AS TEXT))
            ORDER BY id DESC LIMIT @limit
            """,
            new { status = query.Status?.ToWire(), applyId = query.ApplyId, site = query.Site, target = query.Target, limit = query.Limit },
            cancellationToken);

    public Task<IReadOnlyList<JobCount>> CountAsync(CancellationToken cancellationToken) =>
        db.ReadStatementAsync<IReadOnlyList<JobCount>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<(string Action, string? Site, string Status, long Count, long Attempts)>(new CommandDefinition(
                    "SELECT action, site, status, COUNT(*), COALESCE(SUM(attempts), 0) FROM jobs GROUP BY action, site, status ORDER BY action, site, status",
                    cancellationToken: cancellationToken));
                return [.. rows.Select(r => new JobCount(r.Action, r.Site, JobStatuses.Parse(r.Status), r.Count, r.Attempts))];
            },
            cancellationToken);

    public async Task<Job?> RetryAsync(long id, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await WriteAsync(
            $"""
            UPDATE jobs SET status = 'queued', attempts = 0, next_attempt_at = NULL, ended_at = NULL, lease_until = NULL, replaced_by = NULL
            WHERE id = @id AND status = 'failed'
            RETURNING {Columns}
            """,
            new { id },
            cancellationToken)).FirstOrDefault();

    public async Task<IReadOnlyList<Job>> AbandonOrphansAsync(string currentApplyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await WriteAsync(
            $"""
            UPDATE jobs SET status = 'failed', ended_at = CAST(@now AS {db.TimeType()}), lease_until = NULL,
                error = 'abandoned: the apply that started it ended first; a later apply plans this work again'
            WHERE (apply_id IS NULL OR apply_id <> @current)
              AND (status = 'queued'
                   OR (status = 'running' AND (lease_until < CAST(@now AS {db.TimeType()}) OR worker LIKE @inProcess)))
            RETURNING {Columns}
            """,
            new { current = currentApplyId, now = db.Time(now), inProcess = JobDispatcher.InProcessWorkerPrefix + "%" },
            cancellationToken);

    /// <summary>A time as the database keeps it (<see cref="StateBackend.Stored"/>), so a job returned by an insert equals the job read back.</summary>
    private static DateTimeOffset? Truncate(DateTimeOffset? time) => time is { } t ? StateBackend.Stored(t) : null;

    private object ClaimParameters(JobClaim claim, long? id) =>
        new { id, worker = claim.Worker, site = claim.Site, now = db.Time(claim.Now), lease = db.Time(claim.LeaseUntil) };

    private Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        db.WriteStatementAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)), cancellationToken);

    private Task<List<Job>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        db.ReadStatementAsync(connection => ReadJobsAsync(connection, null, sql, parameters, cancellationToken), cancellationToken);

    /// <summary>A statement that changes rows and returns them: atomic on its own (on SQLite inside BEGIN IMMEDIATE).</summary>
    private Task<List<Job>> WriteAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        db.WriteStatementAsync((connection, transaction) => ReadJobsAsync(connection, transaction, sql, parameters, cancellationToken), cancellationToken);

    private async Task<List<Job>> ReadJobsAsync(DbConnection connection, DbTransaction? transaction, string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        var jobs = new List<Job>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    private Job Read(DbDataReader r) => new(
        Id: r.GetInt64(0),
        ApplyId: r.IsDBNull(1) ? null : r.GetString(1),
        ChangeId: r.GetString(2),
        Action: r.GetString(3),
        Target: r.GetString(4),
        Site: r.IsDBNull(5) ? null : r.GetString(5),
        Params: JsonNode.Parse(r.GetString(6))!.AsObject(),
        Status: JobStatuses.Parse(r.GetString(7)),
        Attempts: r.GetInt32(8),
        NextAttemptAt: db.ReadNullableTime(r, 9),
        LeaseUntil: db.ReadNullableTime(r, 10),
        Worker: r.IsDBNull(11) ? null : r.GetString(11),
        Requester: r.GetString(12),
        Commit: r.IsDBNull(13) ? null : r.GetString(13),
        PlanChecksum: r.IsDBNull(14) ? null : r.GetString(14),
        CreatedAt: db.ReadTime(r, 15),
        StartedAt: db.ReadNullableTime(r, 16),
        EndedAt: db.ReadNullableTime(r, 17),
        Error: r.IsDBNull(18) ? null : r.GetString(18),
        ReplacementOf: r.IsDBNull(19) ? null : r.GetInt64(19),
        ReplacedBy: r.IsDBNull(20) ? null : r.GetInt64(20));
}
