using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Providers.Physical.Planning;

namespace Fleet.Providers.Physical;

/// <summary>
/// Physical machines on top of the inventory: serves <c>backend: physical</c> pools with
/// <c>install</c> and <c>recycle</c> changes. Planning is <see cref="PhysicalPlanner"/>; applying a
/// change (through <see cref="MachineLifecycle"/>) is in PhysicalProvider.Apply.cs.
/// </summary>
/// <param name="lifecycle">Null for planning only (cheap, and touches no power driver); see <see cref="ForApply"/>.</param>
public sealed partial class PhysicalProvider(IInventoryStore inventory, MachineLifecycle? lifecycle = null) : IProvider
{
    public string Name => PhysicalPlanner.ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(["physical"], PhysicalActions.All);

    public ImmutableArray<Diagnostic> Validate(DesiredState desired) => PhysicalPlanner.Validate(desired);

    /// <summary>Every machine and every pool record; planning needs the whole inventory for hostnames and free machines.</summary>
    public async Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        var machines = await inventory.ListMachinesAsync(null, cancellationToken);
        var pools = await inventory.ListPoolsAsync(cancellationToken);
        return new PhysicalSnapshot(machines, pools);
    }

    /// <summary>The plan, and every inventory machine as it will be after it, for the providers that consume machines.</summary>
    public ProviderPlan Plan(ProviderPlanRequest request)
    {
        var snapshot = (PhysicalSnapshot)request.Actual;
        var plan = PhysicalPlanner.Plan(request.Desired, snapshot, request.Options);
        return plan with { Machines = PhysicalProjection.After(snapshot.Machines, plan.Changes.Select(c => c.Change)) };
    }

    public ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual) =>
        PhysicalGuards.FindStale(guards, (PhysicalSnapshot)actual);
}
