using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Diffing;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Push;

/// <summary>One validated zone on its way to the servers: the data, its rendered text, what was served before and the diff.</summary>
public sealed record ZonePushRequest(ZoneData Zone, string Text, ServedZone? Served, ZoneDiff Diff);

/// <summary>A push method (<c>dns.push.method</c>): how zones reach the name servers, and how to read what they serve.</summary>
public interface IZonePusher
{
    string Method { get; }

    /// <summary>Whether <see cref="ReadServedAsync"/> can see the server (false: <c>directory</c> without <c>primary</c>).</summary>
    bool CanReadServed { get; }

    /// <summary>The zone as served (AXFR), or null when the server does not serve it yet or cannot be read.</summary>
    Task<ServedZone?> ReadServedAsync(string zone, CancellationToken cancellationToken);

    Task PushAsync(ZonePushRequest request, CancellationToken cancellationToken);
}

public static class ZonePushers
{
    /// <summary>The served zone, with a server that cannot be read turned into a user error naming the zone.</summary>
    public static async Task<ServedZone?> ReadServedCheckedAsync(this IZonePusher pusher, string zone, CancellationToken cancellationToken)
    {
        try
        {
            return await pusher.ReadServedAsync(zone, cancellationToken);
        }
        catch (DnsProtocolException e)
        {
            throw new FleetException($"zone {zone.TrimEnd('.')}: cannot read what the name server serves: {e.Message}");
        }
    }
}

/// <summary>Reads served zones by AXFR from a configured address, for every push method.</summary>
public sealed class ServedZoneReader(DnsClient? client, TsigKey? key)
{
    public bool CanRead => client is not null;

    public async Task<ServedZone?> ReadAsync(string zone, CancellationToken cancellationToken) =>
        client is null ? null : await client.TransferAsync(zone, key, cancellationToken);

    public async Task<uint?> SerialAsync(string zone, CancellationToken cancellationToken) =>
        client is null ? null : await client.GetSerialAsync(zone, key, cancellationToken);
}
