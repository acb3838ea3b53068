using System.Collections.Immutable;
using Fleet.Engine.Execution;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp;
using Fleet.State;

namespace Fleetctl.Overview;

/// <summary>One pool, desired against actual: the YAML's size and the inventory's machines of the pool by state.</summary>
internal sealed record PoolStatus(
    string Name,
    string Backend,
    string? Site,
    string? Hardware,
    string Role,
    string? Owner,
    int Desired,
    long InUse,
    long Installing,
    long Recycling,
    long Broken,
    bool Protected,
    string Source)
{
    /// <summary>Whether the inventory counts the pool's machines (physical pools); a GCP pool's instances live in its group.</summary>
    public bool Counted => Backend == "physical";

    /// <summary>Machines that serve or will serve the pool (in_use and installing).</summary>
    public long Actual => InUse + Installing;
}

/// <summary>Machines of one hardware type in one site, by the states that matter for capacity.</summary>
internal sealed record CapacityStatus(string Site, string Hardware, long Available, long InUse, long Installing, long Recycling, long Broken);

/// <summary>
/// The fleet at a glance, as <c>fleetctl status</c>, the console's overview and <c>/metrics</c> show it:
/// every pool's desired size (from the YAML) against its machines (from the inventory), capacity per
/// site and hardware type, and what is running now. Built from grouped counts, never a list of every machine.
/// </summary>
internal sealed record FleetOverview(
    string Fleet,
    ImmutableArray<PoolStatus> Pools,
    ImmutableArray<CapacityStatus> Capacity,
    ImmutableArray<MachineCount> Machines,
    ImmutableArray<JobCount> JobCounts,
    ImmutableArray<Job> ActiveJobs,
    ImmutableArray<ApplyRecord> RunningApplies)
{
    /// <summary>Running and queued jobs shown at most.</summary>
    public const int ActiveJobLimit = 50;

    public static async Task<FleetOverview> ReadAsync(DesiredState desired, StateDatabase database, CancellationToken cancellationToken)
    {
        var machines = await database.Inventory.CountMachinesAsync(cancellationToken);
        var records = (await database.Inventory.ListPoolsAsync(cancellationToken)).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var jobCounts = await database.Jobs.CountAsync(cancellationToken);
        var running = await database.Jobs.ListAsync(new JobQuery(JobStatus.Running, Limit: ActiveJobLimit), cancellationToken);
        var queued = await database.Jobs.ListAsync(new JobQuery(JobStatus.Queued, Limit: ActiveJobLimit), cancellationToken);
        var applies = await database.ApplyHistory.ListAsync(20, cancellationToken);
        return Build(desired, machines, records, jobCounts, [.. running, .. queued], [.. applies.Where(a => a.Result == ApplyResults.Running)]);
    }

    public static FleetOverview Build(
        DesiredState desired,
        ImmutableArray<MachineCount> machines,
        IReadOnlyDictionary<string, PoolRecord> records,
        IReadOnlyList<JobCount> jobCounts,
        ImmutableArray<Job> activeJobs,
        ImmutableArray<ApplyRecord> runningApplies)
    {
        var byPool = machines.Where(m => m.Pool is not null).ToLookup(m => m.Pool!, StringComparer.Ordinal);
        var pools = desired.Pools
            .OrderBy(p => p.Site ?? p.Gcp()?.Zone ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p =>
            {
                var counts = byPool[p.Name];
                long Count(MachineState state) => counts.Where(c => c.State == state).Sum(c => c.Count);
                var backend = p.Backend;
                return new PoolStatus(
                    p.Name, backend, p.Site ?? p.Gcp()?.Zone, p.Hardware ?? p.Gcp()?.MachineType, p.Role, desired.FindRole(p.Role)?.Owner, p.Size,
                    Count(MachineState.InUse), Count(MachineState.Installing), Count(MachineState.Recycling), Count(MachineState.Broken),
                    records.TryGetValue(p.Name, out var record) ? record.Protected : p.Protect,
                    p.Locations.Of("size").ToString());
            })
            .ToImmutableArray();
        var capacity = machines
            .GroupBy(m => (m.Site, m.HardwareType))
            .OrderBy(g => g.Key.Site, StringComparer.Ordinal).ThenBy(g => g.Key.HardwareType, StringComparer.Ordinal)
            .Select(g =>
            {
                long Count(MachineState state) => g.Where(c => c.State == state).Sum(c => c.Count);
                return new CapacityStatus(g.Key.Site, g.Key.HardwareType, Count(MachineState.Available), Count(MachineState.InUse),
                    Count(MachineState.Installing), Count(MachineState.Recycling), Count(MachineState.Broken));
            })
            .ToImmutableArray();
        return new FleetOverview(desired.Fleet.Name, pools, capacity, machines, [.. jobCounts], activeJobs, runningApplies);
    }

    public long JobsIn(JobStatus status) => JobCounts.Where(j => j.Status == status).Sum(j => j.Count);
}
