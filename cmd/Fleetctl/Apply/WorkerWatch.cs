using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Jobs;

namespace Fleetctl.Apply;

/// <summary>
/// The watchdog of an apply that waits on <c>fleetctl worker</c> processes (<c>--workers external</c>).
/// Nothing moves until a worker takes a job, so it reads the apply's jobs every few seconds and warns
/// when jobs are due and no worker has taken one for <see cref="WorkerWatchOptions.NoWorkerAfter"/>
/// (none running on a live lease, no attempt counted), again at doubling intervals up to
/// <see cref="WorkerWatchOptions.MaxRepeat"/> while that lasts. The same holds per site while other
/// sites' workers are busy (a worker started with <c>--site lon</c> never takes the jobs of sto, nor
/// those of no site). And once per attempt, it reports a running job whose lease ran out, since its
/// worker died or lost the database and the job waits for another.
/// </summary>
/// <param name="workerCommand">How to start a worker, for every site (null) or one.</param>
internal sealed class WorkerWatch(IJobActivity jobs, string applyId, TimeProvider clock, WorkerWatchOptions options, Func<string?, string> workerCommand)
{
    public const string NoWorkerEvent = "no_worker";
    public const string LeaseExpiredEvent = "lease_expired";

    private readonly HashSet<(long Job, int Attempt)> reportedLeases = [];

    /// <summary>Per job, how many of its takeovers were reported.</summary>
    private readonly Dictionary<long, int> reportedTakeovers = [];

    /// <summary>Per site: null is keyed as the empty string (no site is named so).</summary>
    private readonly Dictionary<string, IdleTracker> sites = new(StringComparer.Ordinal);
    private IdleTracker apply = new(DateTimeOffset.MinValue, TimeSpan.Zero);
    private DateTimeOffset startedAt;
    private bool read;

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
        startedAt = now;
        apply = new IdleTracker(now, options.NoWorkerAfter);
        sites.Clear();
        read = false;
    }

    /// <summary>The warnings one reading of the jobs at <paramref name="now"/> gives.</summary>
    public IReadOnlyList<ProgressWarning> Observe(JobActivity activity, DateTimeOffset now)
    {
        var warnings = new List<ProgressWarning>();
        foreach (var lease in activity.ExpiredLeases.Where(l => reportedLeases.Add((l.JobId, l.Attempts))))
        {
            warnings.Add(LeaseExpired(lease, takeover: null, now));
        }

        // A takeover between two readings never showed as an expired lease: reported from the claim's record.
        foreach (var takeover in activity.Takeovers.IsDefault ? [] : activity.Takeovers)
        {
            var missed = takeover.Count - reportedTakeovers.GetValueOrDefault(takeover.Lost.JobId);
            if (missed > 0)
            {
                reportedTakeovers[takeover.Lost.JobId] = takeover.Count;
                if (reportedLeases.Add((takeover.Lost.JobId, takeover.Lost.Attempts)) || missed > 1)
                {
                    warnings.Add(LeaseExpired(takeover.Lost, takeover, now));
                }
            }
        }

        var warnApply = apply.Observe(activity.Due, activity.Running, activity.Claims, now, options);
        State = new WorkersState(activity.Running, activity.Due, activity.Waiting, apply.StalledSince);
        if (warnApply)
        {
            warnings.Add(NoWorker(activity.Due, site: null, forSite: false, apply.StalledFor(now), now, activity.Waiting));
        }

        foreach (var site in activity.Sites.IsDefault ? ImmutableArray<SiteJobActivity>.Empty : activity.Sites)
        {
            if (!sites.TryGetValue(site.Site ?? string.Empty, out var tracker))
            {
                // A site first seen later had its first jobs queued since the previous reading.
                sites[site.Site ?? string.Empty] = tracker = new IdleTracker(read ? now : startedAt, options.NoWorkerAfter);
            }

            // While the whole apply is stalled, its warning says it all.
            if (tracker.Observe(site.Due, site.Running, site.Claims, now, options) && apply.StalledSince is null)
            {
                warnings.Add(NoWorker(site.Due, site.Site, forSite: true, tracker.StalledFor(now), now, waitingToRetry: null));
            }
        }

        read = true;
        return warnings;
    }

    private ProgressWarning NoWorker(int due, string? site, bool forSite, TimeSpan idle, DateTimeOffset now, int? waitingToRetry)
    {
        var jobs = due == 1 ? "1 job" : string.Create(CultureInfo.InvariantCulture, $"{due:N0} jobs");
        var (which, command, hint) = !forSite ? (string.Empty, workerCommand(null), "start one with")
            : site is null ? (" without a site", workerCommand(null), "workers started with --site never take them; start one without")
            : ($" of site {site}", workerCommand(site), "start one with");
        var fields = new List<KeyValuePair<string, JsonNode?>>
        {
            new("queued", due),
            new("idleSeconds", (long)idle.TotalSeconds),
            new("command", command),
        };
        if (waitingToRetry is { } waiting)
        {
            fields.Insert(1, new("waitingToRetry", waiting));
        }

        if (forSite)
        {
            fields.Insert(0, new("site", site));
        }

        return new ProgressWarning(NoWorkerEvent, now, $"{jobs}{which} queued and no worker has taken one for {Durations.Format(idle)}; {hint}: {command}", [.. fields]);
    }

    /// <param name="takeover">Set when the job was already taken over: who took it, and how many takeovers it had.</param>
    private static ProgressWarning LeaseExpired(ExpiredLease lease, Takeover? takeover, DateTimeOffset now)
    {
        var expired = lease.LeaseUntil.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var next = takeover switch
        {
            null => "the next worker to ask takes it over",
            { By: { } by } => $"worker {by} took it over",
            _ => "another worker took it over",
        };
        var count = takeover is { Count: > 1 } ? string.Create(CultureInfo.InvariantCulture, $" ({takeover.Count} takeovers of this job so far)") : string.Empty;
        List<KeyValuePair<string, JsonNode?>> fields =
        [
            new("job", lease.JobId),
            new("action", lease.Action),
            new("target", lease.Target),
            new("worker", lease.Worker),
            new("leaseUntil", lease.LeaseUntil.ToString("O", CultureInfo.InvariantCulture)),
            new("attempt", lease.Attempts),
        ];
        if (takeover is not null)
        {
            fields.Add(new("takenOverBy", takeover.By));
            fields.Add(new("takeovers", takeover.Count));
        }

        return new ProgressWarning(
            LeaseExpiredEvent,
            now,
            string.Create(CultureInfo.InvariantCulture,
                $"job {lease.JobId} ({lease.Action} {lease.Target}) lost its worker {lease.Worker}: no heartbeat, its lease ran out at {expired} (the worker died or lost the database); {next}{count}"),
            [.. fields]);
    }
}

/// <summary>
/// How long the due jobs of the whole apply, or of one site, have waited with no worker taking one:
/// the wait restarts with a job running on a live lease, an attempt counted since the last reading
/// (or before the first), or nothing due. It is due a warning after <see cref="WorkerWatchOptions.NoWorkerAfter"/>,
/// then after twice as long each time, at most <see cref="WorkerWatchOptions.MaxRepeat"/> more.
/// </summary>
internal sealed class IdleTracker(DateTimeOffset start, TimeSpan firstWarning)
{
    private readonly TimeSpan firstWarning = firstWarning;
    private DateTimeOffset since = start;
    private long? claims;
    private TimeSpan nextWarning = firstWarning;

    /// <summary>Since when the jobs have waited with no worker taking one; null while workers take them or nothing is due.</summary>
    public DateTimeOffset? StalledSince { get; private set; }

    public TimeSpan StalledFor(DateTimeOffset now) => StalledSince is { } stalled ? now - stalled : TimeSpan.Zero;

    /// <summary>Takes a reading; true when it is time to warn.</summary>
    public bool Observe(int due, int running, long claimsNow, DateTimeOffset now, WorkerWatchOptions options)
    {
        var claimed = claims is { } before ? claimsNow != before : claimsNow > 0;
        claims = claimsNow;
        if (claimed || running > 0 || due == 0)
        {
            since = now;
            nextWarning = firstWarning;
            StalledSince = null;
            return false;
        }

        StalledSince = since;
        if (firstWarning <= TimeSpan.Zero || now - since < nextWarning)
        {
            return false;
        }

        nextWarning += TimeSpan.FromTicks(Math.Min(nextWarning.Ticks, options.MaxRepeat.Ticks));
        return true;
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
