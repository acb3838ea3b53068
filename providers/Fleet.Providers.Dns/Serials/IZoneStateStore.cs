namespace Fleet.Providers.Dns.Serials;

/// <summary>What fleetctl last pushed for a zone: its serial and the content hash (see <see cref="Zones.ZoneData.ContentHash"/>).</summary>
public sealed record ZoneState(string Zone, uint Serial, string ContentHash, DateTimeOffset PushedAt);

/// <summary>Where zone serials and last-pushed content hashes are kept (the state database; memory in tests).</summary>
public interface IZoneStateStore
{
    Task<ZoneState?> GetAsync(string zone, CancellationToken cancellationToken);

    Task SetAsync(ZoneState state, CancellationToken cancellationToken);
}

/// <summary>A store that forgets on exit: for <c>zones render</c> without a database, and tests.</summary>
public sealed class MemoryZoneStateStore : IZoneStateStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ZoneState> states = new(StringComparer.Ordinal);

    public Task<ZoneState?> GetAsync(string zone, CancellationToken cancellationToken) =>
        Task.FromResult(states.TryGetValue(zone, out var state) ? state : null);

    public Task SetAsync(ZoneState state, CancellationToken cancellationToken)
    {
        states[state.Zone] = state;
        return Task.CompletedTask;
    }
}
