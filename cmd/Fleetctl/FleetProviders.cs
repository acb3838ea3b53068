using System.Collections.Immutable;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns;
using Fleet.Providers.Physical;
using Fleet.State;
using Fleetctl.Dns;

namespace Fleetctl;

/// <summary>
/// The providers this fleetctl is built with, in planning order: a provider sees the changes of
/// those before it (DNS goes last, to publish the hostnames the machine changes allocate).
/// Adding a provider is a property and a line here; the engine does not change.
/// </summary>
internal sealed record FleetProviders(PhysicalProvider Physical, DnsProvider? Dns, SharedInventoryReads Inventory)
{
    public ImmutableArray<IProvider> All => Dns is null ? [Physical] : [Physical, Dns];

    /// <param name="source">Where the desired state was read (a directory or a commit): templates are read from it too.</param>
    public static FleetProviders Create(StateDatabase database, DesiredState desired, IFleetSource source, string fleetDirectory, CliHost host)
    {
        var inventory = new SharedInventoryReads(database.Inventory);
        return new(
            new PhysicalProvider(inventory),
            desired.Fleet.Dns is null ? null : DnsComposition.CreateProvider(desired, source, fleetDirectory, database, inventory, host),
            inventory);
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
