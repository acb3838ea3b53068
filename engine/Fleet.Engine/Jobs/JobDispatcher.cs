using System.Collections.Immutable;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Jobs;

/// <summary>
/// Runs each change as a job in the broker. In-process (the embedded default) the apply enqueues
/// its job already claimed and runs it here; with external workers it only enqueues and watches.
/// Either way the job rows are the record, so a crash leaves nothing the next apply cannot find. A
/// job given up on is followed to its replacement, and the change succeeds when the replacement does.
/// </summary>
public sealed class JobDispatcher(JobRunner runner, JobContext context, JobDispatchMode mode, TimeSpan pollInterval) : IChangeDispatcher
{
    public const string InProcessWorkerPrefix = "apply/";

    private readonly JobRunner runner = runner;
    private readonly JobContext context = context;
    private readonly JobDispatchMode mode = mode;
    private readonly TimeSpan pollInterval = pollInterval;
    private readonly IJobBroker broker = runner.Broker;
    private readonly TimeProvider clock = runner.Clock;

    /// <summary>The worker name of this apply's in-process workers; the broker knows such a worker dies with its apply.</summary>
    public string InProcessWorker => InProcessWorkerPrefix + context.ApplyId;

    public Task<ChangeOutcome> DispatchAsync(PlannedChange change, IExecutionObserver observer, CancellationToken cancellationToken) =>
        new Dispatch(this, change, observer).RunAsync(cancellationToken);

    /// <summary>One change's way through its jobs: attempts, retries, replacements.</summary>
    private sealed class Dispatch(JobDispatcher owner, PlannedChange change, IExecutionObserver observer)
    {
        private readonly ImmutableArray<string>.Builder broken = ImmutableArray.CreateBuilder<string>();

        /// <summary>Attempts made on the jobs of machines given up on before the current one.</summary>
        private int earlierAttempts;

        public async Task<ChangeOutcome> RunAsync(CancellationToken cancellationToken)
        {
            var job = JobChanges.ToNewJob(change, owner.context);
            return owner.mode == JobDispatchMode.InProcess
                ? await RunHereAsync(await owner.broker.EnqueueClaimedAsync(job, owner.runner.Claim(owner.InProcessWorker, null), cancellationToken), cancellationToken)
                : await WatchAsync(await owner.broker.EnqueueAsync(job, owner.clock.GetUtcNow(), cancellationToken), cancellationToken);
        }

        /// <summary>Runs attempts of a claimed job here until it finishes, fails for good, or hands over to a replacement.</summary>
        private async Task<ChangeOutcome> RunHereAsync(Job claimed, CancellationToken cancellationToken)
        {
            while (true)
            {
                var result = await owner.runner.RunAttemptAsync(claimed, cancellationToken);
                Job next;
                switch (result.Outcome)
                {
                    case AttemptOutcome.Finished:
                        return ChangeOutcome.Success(change.Id, earlierAttempts + claimed.Attempts, claimed.Target, broken.ToImmutable());
                    case AttemptOutcome.Failed:
                        return ChangeOutcome.Failure(change.Id, earlierAttempts + claimed.Attempts, result.Error ?? "failed", broken.ToImmutable());
                    case AttemptOutcome.WillRetry:
                        Retrying(claimed.Target, claimed.Attempts, result.Error, result.NextAttemptAt);
                        await DelayUntilAsync(result.NextAttemptAt, cancellationToken);
                        next = claimed with { Status = JobStatus.Queued };
                        break;
                    case AttemptOutcome.Replaced:
                        earlierAttempts += claimed.Attempts;
                        Replaced(claimed.Target, claimed.Attempts, result.Error, result.Replacement!.Target);
                        next = result.Replacement;
                        break;
                    default:
                        // Our lease ran out and another worker took the job: follow it from the outside.
                        return await WatchAsync(claimed, cancellationToken);
                }

                if (await ClaimAsync(next, cancellationToken) is not { } mine)
                {
                    return await WatchAsync(next, cancellationToken);
                }

                claimed = mine;
            }
        }

        /// <summary>Follows a job another worker runs (or one not yet due), by polling, to its end (replacements included).</summary>
        private async Task<ChangeOutcome> WatchAsync(Job job, CancellationToken cancellationToken)
        {
            var seenFailures = job.Attempts - (job.Status == JobStatus.Running ? 1 : 0);
            while (true)
            {
                if (owner.mode == JobDispatchMode.InProcess && job.Status == JobStatus.Queued && await ClaimAsync(job, cancellationToken) is { } mine)
                {
                    // Due, and nobody holds it (or its worker died): run it here.
                    return await RunHereAsync(mine, cancellationToken);
                }

                await Task.Delay(owner.pollInterval, owner.clock, cancellationToken);
                job = await owner.broker.GetAsync(job.Id, cancellationToken) ?? throw new InvalidOperationException($"job {job.Id} vanished");
                if (job.Status == JobStatus.Queued && job.Attempts > seenFailures)
                {
                    seenFailures = job.Attempts;
                    Retrying(job.Target, job.Attempts, job.Error, job.NextAttemptAt);
                }
                else if (job.Status == JobStatus.Finished)
                {
                    return ChangeOutcome.Success(change.Id, earlierAttempts + job.Attempts, job.Target, broken.ToImmutable());
                }
                else if (job.Status == JobStatus.Failed && job.ReplacedBy is { } next)
                {
                    earlierAttempts += job.Attempts;
                    var replacement = await owner.broker.GetAsync(next, cancellationToken) ?? throw new InvalidOperationException($"job {next} vanished");
                    Replaced(job.Target, job.Attempts, job.Error, replacement.Target);
                    (job, seenFailures) = (replacement, 0);
                }
                else if (job.Status == JobStatus.Failed)
                {
                    return ChangeOutcome.Failure(change.Id, earlierAttempts + job.Attempts, job.Error ?? "failed", broken.ToImmutable());
                }
                else if (owner.mode == JobDispatchMode.InProcess && job.Status == JobStatus.Running && job.LeaseUntil < owner.clock.GetUtcNow()
                         && await ClaimAsync(job, cancellationToken) is { } orphan)
                {
                    return await RunHereAsync(orphan, cancellationToken);
                }
            }
        }

        private Task<Job?> ClaimAsync(Job job, CancellationToken cancellationToken) =>
            owner.broker.ClaimAsync(job.Id, owner.runner.Claim(owner.InProcessWorker, null), cancellationToken);

        private void Retrying(string machine, int failedAttempt, string? error, DateTimeOffset? next) =>
            observer.OnEvent(ExecutionEvent.For(ExecutionEventKind.Retrying, owner.clock.GetUtcNow(), change, failedAttempt + 1,
                $"attempt {failedAttempt} failed: {error}; next attempt at {next:O}", machine));

        private void Replaced(string machine, int failedAttempts, string? error, string replacement)
        {
            broken.Add(machine);
            observer.OnEvent(ExecutionEvent.For(ExecutionEventKind.Replaced, owner.clock.GetUtcNow(), change, failedAttempts,
                $"{machine} is broken after {failedAttempts} failed attempts ({error}); {change.Action} on {replacement} instead", replacement));
        }

        private async Task DelayUntilAsync(DateTimeOffset? at, CancellationToken cancellationToken)
        {
            // A millisecond more: databases store times less precisely than the clock reads them.
            var wait = (at ?? owner.clock.GetUtcNow()) - owner.clock.GetUtcNow() + TimeSpan.FromMilliseconds(1);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, owner.clock, cancellationToken);
            }
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
