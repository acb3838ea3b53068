using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;

namespace Fleetctl.Apply;

/// <summary>
/// The watchdog of an apply that waits on <c>fleetctl worker</c> processes (<c>--workers external</c>).
/// Nothing moves until a worker takes a job, so it reads the apply's jobs every few seconds and warns
/// when jobs are due and no worker has taken one for <see cref="WorkerWatchOptions.NoWorkerAfter"/>
/// (none running on a live lease, no attempt counted), again at doubling intervals up to
/// <see cref="WorkerWatchOptions.MaxRepeat"/> while that lasts; and once per attempt when a running
/// job's lease ran out, since its worker died or lost the database and the job waits for another.
/// </summary>
internal sealed class WorkerWatch(IJobActivity jobs, string applyId, TimeProvider clock, WorkerWatchOptions options, string workerCommand)
{
    public const string NoWorkerEvent = "no_worker";
    public const string LeaseExpiredEvent = "lease_expired";

    private readonly HashSet<(long Job, int Attempt)> reportedLeases = [];
    private DateTimeOffset idleSince;
    private long? claims;
    private TimeSpan nextWarning;

    /// <summary>The jobs at the latest reading; null before the first.</summary>
    public WorkersState? State { get; private set; }

    /// <summary>Reads the jobs until <paramref name="stop"/>, handing <paramref name="progress"/> every warning and each reading.</summary>
    public async Task RunAsync(IApplyProgress progress, CancellationToken stop)
    {
        Start(clock.GetUtcNow());
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.PollInterval, clock, stop);
                var now = clock.GetUtcNow();
                foreach (var warning in Observe(await jobs.OfApplyAsync(applyId, now, stop), now))
                {
                    progress.Warn(warning);
                }

                progress.Workers(State!);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (FleetException)
            {
                // Advisory only: a reading that failed (the database briefly away) is skipped. The
                // apply's own polling of its jobs reports a database that stays away.
            }
        }
    }

    /// <summary>The watch begins: jobs are being enqueued now, and nobody has taken one yet.</summary>
    public void Start(DateTimeOffset now)
    {
        idleSince = now;
        claims = null;
        nextWarning = options.NoWorkerAfter;
    }

    /// <summary>The warnings one reading of the jobs at <paramref name="now"/> gives.</summary>
    public IReadOnlyList<ProgressWarning> Observe(JobActivity activity, DateTimeOffset now)
    {
        var warnings = new List<ProgressWarning>();
        foreach (var lease in activity.ExpiredLeases.Where(l => reportedLeases.Add((l.JobId, l.Attempts))))
        {
            warnings.Add(LeaseExpired(lease, now));
        }

        // A worker is at work (or there is nothing to take) while a job runs on a live lease, while an
        // attempt was counted since the last reading (or before the first), or while no job is due.
        var claimed = claims is { } before ? activity.Claims != before : activity.Claims > 0;
        claims = activity.Claims;
        var stalled = !claimed && activity.Running == 0 && activity.Due > 0;
        if (!stalled)
        {
            idleSince = now;
            nextWarning = options.NoWorkerAfter;
        }

        State = new WorkersState(activity.Running, activity.Due, activity.Waiting, stalled ? idleSince : null);
        if (!stalled)
        {
            return warnings;
        }

        var idle = now - idleSince;
        if (options.NoWorkerAfter > TimeSpan.Zero && idle >= nextWarning)
        {
            warnings.Add(NoWorker(activity, idle, now));
            nextWarning += TimeSpan.FromTicks(Math.Min(nextWarning.Ticks, options.MaxRepeat.Ticks));
        }

        return warnings;
    }

    private ProgressWarning NoWorker(JobActivity activity, TimeSpan idle, DateTimeOffset now)
    {
        var jobs = activity.Due == 1 ? "1 job" : string.Create(CultureInfo.InvariantCulture, $"{activity.Due:N0} jobs");
        return new ProgressWarning(
            NoWorkerEvent,
            now,
            $"{jobs} queued and no worker has taken one for {Format(idle)}; start one with: {workerCommand}",
            [
                new("queued", activity.Due),
                new("waitingToRetry", activity.Waiting),
                new("idleSeconds", (long)idle.TotalSeconds),
                new("command", workerCommand),
            ]);
    }

    private static ProgressWarning LeaseExpired(ExpiredLease lease, DateTimeOffset now)
    {
        var expired = lease.LeaseUntil.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new ProgressWarning(
            LeaseExpiredEvent,
            now,
            string.Create(CultureInfo.InvariantCulture,
                $"job {lease.JobId} ({lease.Action} {lease.Target}) lost its worker {lease.Worker}: no heartbeat, its lease ran out at {expired} (the worker died or lost the database); the next worker to ask takes it over"),
            [
                new("job", lease.JobId),
                new("action", lease.Action),
                new("target", lease.Target),
                new("worker", lease.Worker),
                new("leaseUntil", lease.LeaseUntil.ToString("O", CultureInfo.InvariantCulture)),
                new("attempt", lease.Attempts),
            ]);
    }

    /// <summary>Whole seconds as people say them: 45s, 1m, 2m30s, 1h5m.</summary>
    internal static string Format(TimeSpan span)
    {
        var seconds = (long)span.TotalSeconds;
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{(seconds % 60 == 0 ? string.Empty : $"{seconds % 60}s")}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h{(seconds % 3600 / 60 == 0 ? string.Empty : $"{seconds % 3600 / 60}m")}"),
        };
    }
}

/// <summary>
/// An apply's jobs at one reading, as the live display shows them: running on a live lease, queued
/// and due, queued for a later retry; and since when no worker has taken one while some are due
/// (null while workers take them).
/// </summary>
internal sealed record WorkersState(int Running, int Queued, int WaitingToRetry, DateTimeOffset? StalledSince);

/// <summary>
/// When the watch warns that no worker takes the jobs (zero: never; expired leases are always
/// reported), the longest gap between repeated warnings, and how often it reads the jobs.
/// </summary>
internal sealed record WorkerWatchOptions(TimeSpan NoWorkerAfter, TimeSpan MaxRepeat, TimeSpan PollInterval)
{
    public static readonly TimeSpan DefaultNoWorkerAfter = TimeSpan.FromSeconds(30);

    /// <summary>Reads a few times within the warning's delay (at most every 5 s, at least every second).</summary>
    public static WorkerWatchOptions For(TimeSpan noWorkerAfter) =>
        new(noWorkerAfter, TimeSpan.FromMinutes(5),
            noWorkerAfter <= TimeSpan.Zero ? TimeSpan.FromSeconds(5) : TimeSpan.FromTicks(Math.Clamp(noWorkerAfter.Ticks / 6, TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerSecond)));
}
