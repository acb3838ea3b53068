using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Fleet.Engine.Jobs;
using Fleet.Engine.Locking;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Execution;

/// <summary>What an apply works with: the state database's lock, history and job broker, and the handler that runs jobs.</summary>
public sealed record ApplyServices(IApplyLock Lock, IApplyHistory History, IJobBroker Jobs, IJobHandler Handler, JobRunnerOptions Runner, TimeProvider Clock);

/// <summary>
/// The user's choices for one apply: who is applying which commit, how long to wait for the lock,
/// the parallelism bounds, and whether this process runs the jobs or external workers do.
/// </summary>
public sealed record ApplySettings(string User, string? Commit, TimeSpan LockWait, ExecutorOptions Parallelism, JobDispatchMode Workers, TimeSpan PollInterval)
{
    public string Requester => $"{User}@{Environment.MachineName}";
}

/// <summary>
/// One apply from lock to history: <see cref="BeginAsync"/> takes the fleet's apply lock (failing
/// fast or waiting, naming the holder), marks applies that died as interrupted, records this one,
/// and abandons the jobs dead applies left queued; <see cref="ExecuteAsync"/> runs changes as jobs;
/// <see cref="FinishAsync"/> records the outcome; disposing releases the lock. Everything between
/// Begin and Dispose happens with no other apply running.
/// </summary>
public sealed class ApplySession : IAsyncDisposable
{
    private readonly ApplyServices services;
    private readonly ApplySettings settings;
    private readonly IAsyncDisposable heldLock;
    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);
    private bool finished;

    private ApplySession(ApplyServices services, ApplySettings settings, IAsyncDisposable heldLock, string id, ImmutableArray<Job> abandoned)
    {
        this.services = services;
        this.settings = settings;
        this.heldLock = heldLock;
        Id = id;
        Abandoned = abandoned;
    }

    /// <summary>This apply's id, on its jobs and in the history.</summary>
    public string Id { get; }

    /// <summary>Unfinished jobs of applies that died, failed now so that nobody runs them behind this apply's back.</summary>
    public ImmutableArray<Job> Abandoned { get; }

    public static async Task<ApplySession> BeginAsync(ApplyServices services, ApplySettings settings, CancellationToken cancellationToken)
    {
        var now = services.Clock.GetUtcNow();
        var held = await services.Lock.AcquireAsync(LockHolder.ForThisProcess(settings.User, settings.Commit, now), settings.LockWait, cancellationToken);
        try
        {
            now = services.Clock.GetUtcNow();
            await services.History.MarkInterruptedAsync(now, cancellationToken);
            var id = string.Create(CultureInfo.InvariantCulture, $"{now:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
            await services.History.StartAsync(
                new ApplyRecord(id, settings.User, Environment.MachineName, settings.Commit, null, now, null, ApplyResults.Running, ImmutableSortedDictionary<string, int>.Empty),
                cancellationToken);
            var abandoned = await services.Jobs.AbandonOrphansAsync(id, now, cancellationToken);
            return new ApplySession(services, settings, held, id, [.. abandoned]);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>Machines (job targets) whose job a live worker still holds; resuming them would race it.</summary>
    public async Task<ImmutableHashSet<string>> TargetsHeldByLiveWorkersAsync(CancellationToken cancellationToken)
    {
        var now = services.Clock.GetUtcNow();
        var running = await services.Jobs.ListAsync(new JobQuery(Status: JobStatus.Running, Limit: int.MaxValue), cancellationToken);
        return [.. running.Where(j => j.LeaseUntil > now).Select(j => j.Target)];
    }

    /// <summary>Runs changes in dependency order as jobs of this apply; may be called more than once (resumed work, then the plan).</summary>
    public async Task<ExecutionReport> ExecuteAsync(IEnumerable<PlannedChange> changes, string? planChecksum, IExecutionObserver observer, CancellationToken cancellationToken)
    {
        var runner = new JobRunner(services.Jobs, services.Handler, services.Runner, services.Clock);
        var context = new JobContext(Id, settings.Requester, settings.Commit, planChecksum);
        var dispatcher = new JobDispatcher(runner, context, settings.Workers, settings.PollInterval);
        var report = await new Executor(dispatcher, settings.Parallelism, services.Clock).ExecuteAsync(changes, observer, cancellationToken);
        Count("succeeded", report.Succeeded);
        Count("failed", report.Failed);
        Count("skipped", report.Skipped);
        Count("broken", report.Results.Sum(r => r.BrokenMachines.Length));
        return report;
    }

    /// <summary>Records how the apply ended: <see cref="ApplyResults"/>.</summary>
    public async Task FinishAsync(string result, string? planChecksum, CancellationToken cancellationToken)
    {
        await services.History.FinishAsync(Id, services.Clock.GetUtcNow(), result, planChecksum,
            counts.ToImmutableSortedDictionary(StringComparer.Ordinal), cancellationToken);
        finished = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!finished)
            {
                await FinishAsync(ApplyResults.Failed, null, CancellationToken.None);
            }
        }
        finally
        {
            await heldLock.DisposeAsync();
        }
    }

    private void Count(string key, int value) => counts[key] = counts.GetValueOrDefault(key) + value;
}
