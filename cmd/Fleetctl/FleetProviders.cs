using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns;
using Fleet.Providers.Gcp;
using Fleet.Providers.Gcp.Planning;
using Fleet.Providers.Physical;
using Fleet.Providers.Physical.Planning;
using Fleet.Providers.Physical.Power;
using Fleet.State;
using Fleetctl.Dns;
using Fleetctl.Gcp;

namespace Fleetctl;

/// <summary>
/// The providers this fleetctl is built with, in planning order: a provider sees the changes of
/// those before it (DNS goes last, to publish the hostnames the machine changes allocate).
/// Adding a provider is a property and a line here; the engine does not change.
/// </summary>
internal sealed record FleetProviders(PhysicalProvider Physical, GcpProvider Gcp, DnsProvider? Dns, SharedInventoryReads Inventory, string FleetDirectory)
{
    public ImmutableArray<IProvider> All => Dns is null ? [Physical, Gcp] : [Physical, Gcp, Dns];

    /// <summary>
    /// The actions of every provider this fleetctl is built with, in planning order, whether or not
    /// the fleet configures it: what plan files may contain, and how renderers word and mark them.
    /// </summary>
    public static ActionCatalog Actions { get; } = new([.. PhysicalActions.All, .. GcpActions.All, .. DnsActions.All]);

    /// <summary>
    /// The same providers ready to apply changes: the physical one with every site's power driver and
    /// the machine lifecycle (a real BMC site without usable credentials is refused here, before any
    /// job runs; secret references are resolved relative to <see cref="FleetDirectory"/>). Planning does
    /// without, so <c>plan</c> never touches a power driver.
    /// </summary>
    public FleetProviders ForApply(StateDatabase database, DesiredState desired, CliHost host)
    {
        var seed = host.GetEnvironment("FLEET_SIMULATED_SEED") is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var real = new RealHardware(FleetDirectory, host.GetEnvironment, database.BootTasks);
        return this with { Physical = PhysicalProvider.ForApply(database.Inventory, database.Reservations, desired.Fleet, real, host.Clock, seed) };
    }

    /// <summary>The providers as planning needs them.</summary>
    /// <param name="source">Where the desired state was read (a directory or a commit): templates are read from it too.</param>
    /// <param name="machinesReadAhead">Every machine, when already read (<see cref="OpenedFleet.Machines"/>): the first plan uses it.</param>
    public static FleetProviders Create(StateDatabase database, DesiredState desired, IFleetSource source, string fleetDirectory, CliHost host, Task<ImmutableArray<Machine>>? machinesReadAhead = null)
    {
        var inventory = new SharedInventoryReads(database.Inventory, machinesReadAhead);
        return new(
            new PhysicalProvider(inventory),
            GcpComposition.CreateProvider(desired, fleetDirectory, inventory, host),
            desired.Fleet.Dns is null ? null : DnsComposition.CreateProvider(desired, source, fleetDirectory, database, inventory, host),
            inventory,
            fleetDirectory);
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
