using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Jobs;

/// <summary>
/// How one attempt ended, as recorded in the broker: when the next attempt is due, the job that
/// took over with a replacement machine, the error.
/// </summary>
public sealed record AttemptResult(AttemptOutcome Outcome, string? Error = null, DateTimeOffset? NextAttemptAt = null, Job? Replacement = null);

/// <summary>How one attempt at a claimed job ended.</summary>
public enum AttemptOutcome
{
    Finished,
    WillRetry,
    Failed,
    Replaced,

    /// <summary>Another worker took the job over (our lease had expired); nothing was recorded.</summary>
    LostLease,
}

/// <summary>
/// Runs one attempt at a job a worker has claimed: keeps the lease alive with heartbeats while the
/// handler works, then records the result. A failure is queued again after the retry policy's
/// backoff; once the budget is spent the handler may name a replacement, which is enqueued before
/// the job is marked failed, so a crash in between loses nothing.
/// </summary>
public sealed class JobRunner(IJobBroker broker, IJobHandler handler, JobRunnerOptions options, TimeProvider clock)
{
    public IJobBroker Broker => broker;

    public JobRunnerOptions Options => options;

    public TimeProvider Clock => clock;

    /// <summary>The claim a worker named <paramref name="worker"/> makes now.</summary>
    public JobClaim Claim(string worker, string? site)
    {
        var now = clock.GetUtcNow();
        return new JobClaim(worker, site, now, now + options.Lease);
    }

    public async Task<AttemptResult> RunAttemptAsync(Job job, CancellationToken cancellationToken)
    {
        var worker = job.Worker ?? throw new ArgumentException("the job is not claimed", nameof(job));
        var attempt = new JobAttempt(job, JobChanges.FromJson(job.Params), job.Attempts, options.Retry.MaxAttempts);
        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var beating = HeartbeatAsync(job.Id, worker, heartbeat.Token);
        string? error = null;
        var permanent = false;
        try
        {
            await handler.RunAsync(attempt, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error = e.Message;
            permanent = e is FleetException { Permanent: true };
        }
        finally
        {
            await heartbeat.CancelAsync();
            await beating;
        }

        var now = clock.GetUtcNow();
        var lost = new AttemptResult(AttemptOutcome.LostLease, error);
        if (error is null)
        {
            return await broker.FinishAsync(job.Id, worker, now, CancellationToken.None) ? new AttemptResult(AttemptOutcome.Finished) : lost;
        }

        // Retrying cannot mend it, and it is not the machine's fault either: no retry, no replacement.
        if (permanent)
        {
            return await broker.FailAttemptAsync(job.Id, worker, now, $"{error} (not retried: retrying cannot change this)", null, null, CancellationToken.None)
                ? new AttemptResult(AttemptOutcome.Failed, error)
                : lost;
        }

        if (options.Retry.NextAttemptAt(job.Attempts, now, options.Random()) is { } next)
        {
            return await broker.FailAttemptAsync(job.Id, worker, now, error, next, null, CancellationToken.None)
                ? new AttemptResult(AttemptOutcome.WillRetry, error, next)
                : lost;
        }

        PlannedChange? change;
        try
        {
            change = await handler.GiveUpAsync(attempt, error, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            change = null;
            error = $"{error}; giving up failed too: {e.Message}";
        }

        Job? replacement = null;
        if (change is not null)
        {
            var context = new JobContext(job.ApplyId, job.Requester, job.Commit, job.PlanChecksum);
            replacement = await broker.EnqueueAsync(JobChanges.ToNewJob(change, context, job.Id), now, CancellationToken.None);
        }

        var recorded = await broker.FailAttemptAsync(job.Id, worker, clock.GetUtcNow(), error, null, replacement?.Id, CancellationToken.None);
        return !recorded ? lost
            : replacement is null ? new AttemptResult(AttemptOutcome.Failed, error)
            : new AttemptResult(AttemptOutcome.Replaced, error, Replacement: replacement);
    }

    private async Task HeartbeatAsync(long id, string worker, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Lease / 3, clock, cancellationToken);
                if (!await broker.HeartbeatAsync(id, worker, clock.GetUtcNow() + options.Lease, cancellationToken))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The attempt ended.
        }
    }
}

/// <summary>Lease length, retry policy and the random source of the backoff jitter.</summary>
public sealed record JobRunnerOptions(TimeSpan Lease, RetryPolicy Retry, Func<double> Random)
{
    public static JobRunnerOptions Default { get; } = new(TimeSpan.FromSeconds(30), RetryPolicy.Default, System.Random.Shared.NextDouble);
}
