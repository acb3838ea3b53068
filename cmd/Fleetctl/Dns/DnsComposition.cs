using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Providers.Dns;
using Fleet.Providers.Dns.Serials;
using Fleet.State;
using Fleet.State.Zones;

namespace Fleetctl.Dns;

/// <summary>Wires the DNS provider to the state database and the host (environment for key references, clock).</summary>
public static class DnsComposition
{
    /// <param name="inventory">The inventory as the providers share it (<see cref="SharedInventoryReads"/>).</param>
    public static DnsProvider CreateProvider(DesiredState desired, IFleetSource source, string fleetDirectory, StateDatabase database, IInventoryStore inventory, CliHost host) =>
        new(new DnsProviderOptions(desired, source, fleetDirectory, inventory, new DatabaseZoneStateStore(database), host.GetEnvironment, host.Clock)
        {
            // A worker on another checkout applies a change of a commit from that commit, never from its own working tree.
            ReadCommit = commit =>
            {
                var at = GitCommitSource.Open(fleetDirectory, commit);
                try
                {
                    return (host.Runtime.Loader.LoadOrThrow(at), at);
                }
                catch
                {
                    at.Dispose();
                    throw;
                }
            },
        });
}

/// <summary>Zone serials of the DNS provider kept in the state database.</summary>
public sealed class DatabaseZoneStateStore(StateDatabase database) : IZoneStateStore
{
    private readonly ZoneSerialStore store = new(database);

    public async Task<ZoneState?> GetAsync(string zone, CancellationToken cancellationToken) =>
        await store.GetAsync(zone, cancellationToken) is { } row ? new ZoneState(row.Zone, row.Serial, row.ContentHash, row.PushedAt) : null;

    public Task SetAsync(ZoneState state, CancellationToken cancellationToken) =>
        store.SaveAsync(new ZoneSerialRecord(state.Zone, state.Serial, state.ContentHash, state.PushedAt), cancellationToken);
}
