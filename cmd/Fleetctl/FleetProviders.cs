using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.State;

namespace Fleetctl;

/// <summary>
/// The providers of one command, built by the host's <see cref="FleetRuntime"/> in planning order:
/// a provider sees the changes of those before it (DNS goes last, to publish the hostnames the machine
/// changes allocate). The providers share one read of the inventory's machines per plan.
/// </summary>
internal sealed record FleetProviders(ImmutableArray<IProvider> All, SharedInventoryReads Inventory, ProviderContext Context)
{
    /// <summary>
    /// The same providers ready to apply changes: the physical one with every site's power driver and
    /// the machine lifecycle (a real BMC site without usable credentials is refused here, before any
    /// job runs; secret references are resolved relative to the fleet directory). Planning does
    /// without, so <c>plan</c> never touches a power driver.
    /// </summary>
    public FleetProviders ForApply()
    {
        var context = Context with { Use = ProviderUse.Apply };
        return this with { All = Context.Host.Runtime.Build(context), Context = context };
    }

    /// <summary>The providers as planning needs them.</summary>
    /// <param name="source">Where the desired state was read (a directory or a commit): templates are read from it too.</param>
    /// <param name="machinesReadAhead">Every machine, when already read (<see cref="OpenedFleet.Machines"/>): the first plan uses it.</param>
    public static FleetProviders Create(StateDatabase database, DesiredState desired, IFleetSource source, string fleetDirectory, CliHost host, Task<ImmutableArray<Machine>>? machinesReadAhead = null)
    {
        var inventory = new SharedInventoryReads(database.Inventory, machinesReadAhead);
        var context = new ProviderContext(desired, source, fleetDirectory, database, inventory, host, ProviderUse.Plan);
        return new(host.Runtime.Build(context), inventory, context);
    }

    /// <summary>Plans with every provider; the providers share one read of the inventory's machines.</summary>
    public async Task<Plan> PlanAsync(DesiredState desired, PlanSource source, PlanOptions options, CancellationToken cancellationToken)
    {
        using (Inventory.Share())
        {
            return await new FleetPlanner(All).PlanAsync(desired, source, options, cancellationToken);
        }
    }

    /// <summary>Every provider's actual state (to re-check a saved plan), from one read of the inventory's machines.</summary>
    public async Task<ImmutableArray<ProviderSnapshot>> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        using (Inventory.Share())
        {
            return await new FleetPlanner(All).ReadActualStateAsync(desired, cancellationToken);
        }
    }
}
