using System.Collections.Immutable;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Jobs;

/// <summary>
/// Runs each change as a job in the broker. In-process (the embedded default) the apply claims and
/// runs its own jobs; with external workers it only enqueues and watches them. Either way the job
/// rows are the record, so a crash leaves nothing that the next apply cannot find. A job given up on
/// is followed to its replacement, and the change succeeds when the replacement does.
/// </summary>
public sealed class JobDispatcher(JobRunner runner, JobContext context, JobDispatchMode mode, TimeSpan pollInterval) : IChangeDispatcher
{
    private readonly IJobBroker broker = runner.Broker;
    private readonly TimeProvider clock = runner.Clock;

    /// <summary>The worker name of this apply's in-process workers; the broker knows such a worker dies with its apply.</summary>
    public string InProcessWorker => InProcessWorkerPrefix + context.ApplyId;

    public const string InProcessWorkerPrefix = "apply/";

    public async Task<ChangeOutcome> DispatchAsync(PlannedChange change, IExecutionObserver observer, CancellationToken cancellationToken)
    {
        var job = await broker.EnqueueAsync(JobChanges.ToNewJob(change, context), clock.GetUtcNow(), cancellationToken);
        var attempts = 0;
        var reportedFailures = 0;
        var broken = ImmutableArray.CreateBuilder<string>();
        while (true)
        {
            job = mode == JobDispatchMode.InProcess
                ? await RunHereAsync(job, cancellationToken)
                : await WaitForChangeAsync(job, cancellationToken);
            switch (job.Status)
            {
                case JobStatus.Finished:
                    attempts += job.Attempts;
                    return ChangeOutcome.Success(change.Id, attempts, job.Target, broken.ToImmutable());
                case JobStatus.Failed when job.ReplacedBy is { } next:
                    attempts += job.Attempts;
                    broken.Add(job.Target);
                    reportedFailures = 0;
                    var given = job;
                    job = await broker.GetAsync(next, cancellationToken) ?? throw new InvalidOperationException($"replacement job {next} vanished");
                    observer.OnEvent(ExecutionEvent.For(ExecutionEventKind.Replaced, clock.GetUtcNow(), change, attempts,
                        $"{given.Target} is broken after {given.Attempts} failed attempts ({given.Error}); {change.Action.ToWire()} on {job.Target} instead", job.Target));
                    break;
                case JobStatus.Failed:
                    attempts += job.Attempts;
                    return ChangeOutcome.Failure(change.Id, attempts, job.Error ?? "failed", broken.ToImmutable());
                case JobStatus.Queued when job.Attempts > 0:
                    if (job.Attempts > reportedFailures)
                    {
                        reportedFailures = job.Attempts;
                        observer.OnEvent(ExecutionEvent.For(ExecutionEventKind.Retrying, clock.GetUtcNow(), change, job.Attempts + 1,
                            $"attempt {job.Attempts} failed: {job.Error}; next attempt at {job.NextAttemptAt:O}", job.Target));
                    }

                    await DelayUntilAsync(job.NextAttemptAt, cancellationToken);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Claims the job for this apply and runs one attempt; returns the job as recorded after it.</summary>
    private async Task<Job> RunHereAsync(Job job, CancellationToken cancellationToken)
    {
        var claimed = await broker.ClaimAsync(job.Id, runner.Claim(InProcessWorker, site: null), cancellationToken);
        if (claimed is null)
        {
            // Not due yet, or another worker holds it: watch it like an external job.
            return await WaitForChangeAsync(job, cancellationToken);
        }

        await runner.RunAttemptAsync(claimed, cancellationToken);
        return await broker.GetAsync(job.Id, cancellationToken) ?? throw new InvalidOperationException($"job {job.Id} vanished");
    }

    /// <summary>Polls until the job's status or attempt count moves on.</summary>
    private async Task<Job> WaitForChangeAsync(Job job, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(pollInterval, clock, cancellationToken);
            var current = await broker.GetAsync(job.Id, cancellationToken) ?? throw new InvalidOperationException($"job {job.Id} vanished");
            var due = current.Status == JobStatus.Queued && (current.NextAttemptAt is null || current.NextAttemptAt <= clock.GetUtcNow());
            if (current.Status.IsTerminal() || current.Attempts != job.Attempts || current.Status != job.Status
                || (mode == JobDispatchMode.InProcess && due))
            {
                return current;
            }
        }
    }

    private async Task DelayUntilAsync(DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var wait = (at ?? clock.GetUtcNow()) - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }
    }
}

public enum JobDispatchMode
{
    /// <summary>This process claims and runs the jobs it enqueues (the embedded default).</summary>
    InProcess,

    /// <summary>Jobs are enqueued for <c>fleetctl worker</c> processes; the apply waits for them.</summary>
    External,
}
