using Fleet.Providers.Dns.Serials;
using Fleet.State;
using Fleet.State.Dns;

namespace Fleetctl.Dns;

/// <summary>Zone serials of the DNS provider kept in the state database.</summary>
public sealed class DatabaseZoneStateStore(StateDatabase database) : IZoneStateStore
{
    private readonly ZoneSerialStore store = new(database);

    public async Task<ZoneState?> GetAsync(string zone, CancellationToken cancellationToken) =>
        await store.GetAsync(zone, cancellationToken) is { } row ? new ZoneState(row.Zone, row.Serial, row.ContentHash, row.PushedAt) : null;

    public Task SetAsync(ZoneState state, CancellationToken cancellationToken) =>
        store.SaveAsync(new ZoneSerialRecord(state.Zone, state.Serial, state.ContentHash, state.PushedAt), cancellationToken);
}
