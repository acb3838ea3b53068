using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Gcp.Compute;
using Fleet.Providers.Gcp.Planning;

namespace Fleet.Providers.Gcp;

/// <summary>
/// GCP managed instance groups: serves <c>backend: gcp</c> pools with <c>create_group</c>,
/// <c>resize</c>, <c>update_template</c> and <c>delete_group</c>. Planning is <see cref="GcpPlanner"/>;
/// applying a change is in GcpProvider.Apply.cs.
/// </summary>
/// <param name="connection">The fleet's Compute Engine client; null when the fleet has no <c>gcp</c> section.</param>
/// <param name="poolRecords">The inventory's pool records, which remember deletion protection after a pool's YAML is removed.</param>
public sealed partial class GcpProvider(GcpConnection? connection, Func<CancellationToken, Task<ImmutableArray<PoolRecord>>> poolRecords, GcpApplyOptions options) : IProvider
{
    public string Name => GcpPlanner.ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(
        ["gcp"], GcpActions.All);

    public ImmutableArray<Diagnostic> Validate(DesiredState desired) => GcpPlanner.Validate(desired);

    /// <summary>
    /// Every zonal managed instance group of the project (one paginated aggregated list; regional
    /// groups are not fleetctl's) and the pool records. A fleet with no GCP pool, now or in the inventory's memory, is not read at all.
    /// </summary>
    public async Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        var pools = await poolRecords(cancellationToken);
        if (connection is null || desired.Fleet.Gcp() is not { } gcp
            || (!desired.Pools.Any(p => p.Backend == GcpDefinition.Backend) && !pools.Any(p => p.Backend == GcpPlanner.ProviderName)))
        {
            return new GcpSnapshot([], pools);
        }

        try
        {
            var client = await connection.ClientAsync(cancellationToken);
            var groups = await client.ListGroupsAsync(cancellationToken);
            return new GcpSnapshot(
                [.. groups.Where(g => g.Zone is not null).Select(g => new GroupState(
                    g.Name,
                    ComputeClient.LastSegment(g.Zone!),
                    ComputeClient.LastSegment(g.InstanceTemplate),
                    g.TargetSize,
                    GroupTemplates.ManagingFleet(g.Name, g.Description)))],
                pools);
        }
        catch (ComputeException e)
        {
            throw new FleetException(gcp.Locations.Document, $"cannot read the managed instance groups of GCP project {gcp.Project}: {e.Message}");
        }
    }

    public ProviderPlan Plan(ProviderPlanRequest request) =>
        GcpPlanner.Plan(request.Desired, (GcpSnapshot)request.Actual, request.Options);

    public ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual) =>
        GcpGuards.FindStale(guards, (GcpSnapshot)actual);
}

/// <summary>How long apply waits for a change's group to become stable, and how often it looks at most (it starts faster).</summary>
public sealed record GcpApplyOptions(TimeSpan StableTimeout, TimeSpan StablePoll)
{
    public static GcpApplyOptions Default { get; } = new(TimeSpan.FromMinutes(20), TimeSpan.FromSeconds(5));
}
