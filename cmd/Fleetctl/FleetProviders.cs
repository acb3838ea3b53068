using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
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
internal sealed record FleetProviders(PhysicalProvider Physical, DnsProvider? Dns)
{
    public ImmutableArray<IProvider> All => Dns is null ? [Physical] : [Physical, Dns];

    /// <summary>
    /// The same providers ready to apply changes: the physical one with every site's power driver and
    /// the machine lifecycle (a site whose driver cannot run installs is refused here, before any job
    /// runs). Planning does without, so <c>plan</c> never touches a power driver.
    /// </summary>
    public FleetProviders ForApply(StateDatabase database, DesiredState desired, CliHost host)
    {
        var seed = host.GetEnvironment("FLEET_SIMULATED_SEED") is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return this with { Physical = PhysicalProvider.ForApply(database.Inventory, database.Reservations, desired.Fleet, host.Clock, seed) };
    }

    /// <summary>The providers as planning needs them.</summary>
    /// <param name="source">Where the desired state was read (a directory or a commit): templates are read from it too.</param>
    public static FleetProviders Create(StateDatabase database, DesiredState desired, IFleetSource source, string fleetDirectory, CliHost host) =>
        new(
            new PhysicalProvider(database.Inventory),
            desired.Fleet.Dns is null ? null : DnsComposition.CreateProvider(desired, source, fleetDirectory, database, host));
}
