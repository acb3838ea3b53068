using System.Collections.Immutable;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical;
using Fleet.State;

namespace Fleetctl;

/// <summary>
/// The providers this fleetctl is built with, in planning order: a provider sees the changes of
/// those before it (DNS goes last, to publish the hostnames the machine changes allocate).
/// Adding a provider is one line here; the engine does not change.
/// </summary>
internal static class FleetProviders
{
    public static ImmutableArray<IProvider> Create(StateDatabase database) =>
    [
        new PhysicalProvider(database.Inventory),
    ];
}
