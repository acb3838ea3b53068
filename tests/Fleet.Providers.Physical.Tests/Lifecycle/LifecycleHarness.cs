using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Providers.Physical.Planning;
using Fleet.Providers.Physical.Power;
using Fleet.State;
using Fleet.State.Tests;

namespace Fleet.Providers.Physical.Tests.Lifecycle;

/// <summary>A real state database with machines ingested, a simulated site, and the lifecycle wired to both.</summary>
internal sealed class LifecycleHarness : IAsyncDisposable
{
    public static readonly AuditContext Audit = new("alice@ci", "test", "job-1", "abc123");

    private LifecycleHarness(StateDatabase database, SimulatedDatacenter datacenter, FailingSerials completions, TimeProvider clock)
    {
        Database = database;
        Datacenter = datacenter;
        Completions = completions;
        Lifecycle = new MachineLifecycle(
            database.Inventory,
            database.Reservations,
            new PowerDrivers(ImmutableDictionary<string, SiteHardware>.Empty.Add("lon", new SiteHardware(datacenter, completions))),
            new LifecycleOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)),
            clock);
        Provider = new PhysicalProvider(database.Inventory, Lifecycle);
    }

    public StateDatabase Database { get; }

    public IInventoryStore Inventory => Database.Inventory;

    public SimulatedDatacenter Datacenter { get; }

    /// <summary>Serials whose installer always fails.</summary>
    public FailingSerials Completions { get; }

    public MachineLifecycle Lifecycle { get; }

    /// <summary>The provider built to apply with <see cref="Lifecycle"/>, as apply and workers run it.</summary>
    public PhysicalProvider Provider { get; }

    public static async Task<LifecycleHarness> CreateAsync(IDatabaseProvider provider, int machines, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, clock, CancellationToken.None);
        var records = Enumerable.Range(1, machines).Select(n => new ReconRecord(
            $"SN{n}", "high-io", "lon", $"r{n % 2}", null,
            [new NetworkInterface("eth0", string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:00:{n:x2}"), null)],
            SourceLocation.OfFile("recon.json"), n)).ToList();
        await database.Inventory.IngestAsync(records, Audit, CancellationToken.None);
        var datacenter = new SimulatedDatacenter(new SimulatedSiteOptions(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20), 0, 1), clock);
        return new LifecycleHarness(database, datacenter, new FailingSerials(datacenter), clock);
    }

    public static PlannedChange Install(string id, string serial, string pool = "db", string role = "db", string image = "debian-12") => new()
    {
        Id = id,
        Address = $"pool/{pool}",
        Provider = "physical",
        Action = PhysicalActions.Install,
        Reason = "grow",
        Machine = serial,
        Hostname = HostnameAllocator.Candidate("lon", role, serial, 0),
        Site = "lon",
        Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create("image", image), KeyValuePair.Create("pool", pool), KeyValuePair.Create("role", role)]),
    };

    public static PlannedChange Recycle(string id, string serial, string pool = "db") => new()
    {
        Id = id,
        Address = $"pool/{pool}",
        Provider = "physical",
        Action = PhysicalActions.Recycle,
        Reason = "shrink",
        Machine = serial,
        Site = "lon",
        Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("pool", pool)]),
    };

    /// <summary>A job runner over the engine's provider router, as apply and workers build it.</summary>
    public JobRunner Runner(RetryPolicy retry, TimeProvider clock) =>
        new(Database.Jobs, new ProviderJobHandler([Provider], clock, _ => { }), new JobRunnerOptions(TimeSpan.FromSeconds(30), retry, () => 0.5), clock);

    /// <summary>Records a running apply that reserves <paramref name="machines"/>, as apply does before its first job.</summary>
    public async Task ReserveAsync(string applyId, params string[] machines)
    {
        await Database.ApplyHistory.StartAsync(
            new ApplyRecord(applyId, "alice", "ci", null, null, DateTimeOffset.UtcNow, null, ApplyResults.Running, ImmutableSortedDictionary<string, int>.Empty),
            CancellationToken.None);
        await Database.Reservations.ReserveAsync(applyId, machines, CancellationToken.None);
    }

    public async Task<Machine> MachineAsync(string serial) => (await Inventory.GetMachineAsync(serial, CancellationToken.None))!;

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    /// <summary>The simulated site's completions, except that the named machines' installers always fail.</summary>
    internal sealed class FailingSerials(SimulatedDatacenter datacenter) : IBootTaskCompletions
    {
        public ConcurrentDictionary<string, bool> Failing { get; } = new(StringComparer.Ordinal);

        public async Task<BootTaskOutcome?> WaitAsync(Machine machine, BootImage image, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            var outcome = await datacenter.WaitAsync(machine, image, deadline, cancellationToken);
            return outcome is not null && Failing.ContainsKey(machine.HardwareName) ? BootTaskOutcome.Failure("disk not found") : outcome;
        }
    }
}

/// <summary>A clock that moves only when told to, for backoff and lease arithmetic.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}

internal sealed class RecordingObserver : IExecutionObserver
{
    private readonly ConcurrentQueue<ExecutionEvent> events = new();

    public IReadOnlyList<ExecutionEvent> Events => [.. events];

    public void OnEvent(ExecutionEvent executionEvent) => events.Enqueue(executionEvent);
}
