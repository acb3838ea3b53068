using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Secrets;
using Fleet.Providers.Dns.Wire;

namespace Fleet.Providers.Dns.Push;

/// <summary>
/// The push method <c>dns.push</c> configures, built with its keys read from their references. Owns
/// what must be cleaned up (the rndc client's private config).
/// </summary>
public sealed class ZonePushTarget : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IDisposable? owned;

    private ZonePushTarget(IZonePusher pusher, IDisposable? owned)
    {
        Pusher = pusher;
        this.owned = owned;
    }

    public IZonePusher Pusher { get; }

    /// <summary>
    /// Builds the push method. Relative <c>zoneDir</c> and key paths are relative to the fleet directory.
    /// Without <c>push</c>, zones are written to <c>.fleet/zones</c> (method <c>directory</c>).
    /// </summary>
    public static ZonePushTarget Create(DnsPushSpec? push, string fleetDirectory, Func<string, string?> environment, TimeProvider clock)
    {
        if (push is null)
        {
            return new(new DirectoryPusher(Path.Combine(fleetDirectory, ".fleet", "zones"), new ServedZoneReader(null, null)), null);
        }

        string Required(string? value, string field) =>
            value ?? throw new FleetException(push.Locations.Document, $"dns.push.{field} is required for method {push.Method}");
        string Key(string field, string? reference) =>
            SecretReference.Read(Required(reference, field), fleetDirectory, environment, push.Locations.Of(field));
        TsigKey Tsig(string field, string? reference)
        {
            try
            {
                return TsigKey.Parse(Key(field, reference), $"dns.push.{field} ({reference})");
            }
            catch (FormatException e)
            {
                throw new FleetException(push.Locations.Of(field), e.Message);
            }
        }

        DnsClient Client(string address, string field)
        {
            try
            {
                return DnsClient.Parse(address, 53, clock, Timeout);
            }
            catch (FormatException e)
            {
                throw new FleetException(push.Locations.Of(field), $"dns.push.{field}: {e.Message}");
            }
        }

        var transferKey = push.TransferKey is null ? null : Tsig("transferKey", push.TransferKey);
        var primary = push.Primary is null ? null : Client(push.Primary, "primary");
        var zoneDir = push.Method == DnsPushSpec.Rfc2136 ? null : Path.GetFullPath(Required(push.ZoneDir, "zoneDir"), fleetDirectory);
        switch (push.Method)
        {
            case DnsPushSpec.Directory:
                return new(new DirectoryPusher(zoneDir!, new ServedZoneReader(primary, transferKey)), null);
            case DnsPushSpec.Rndc:
                var server = Required(push.Server, "server");
                // The name server answers DNS on port 53 of the host whose control channel fleetctl uses, unless primary says otherwise.
                primary ??= Client(DnsClient.ParseAddress(server, 953).Host, "server");
                RndcClient rndc;
                try
                {
                    rndc = RndcClient.Create(server, Key("keyFile", push.KeyFile));
                }
                catch (FormatException e)
                {
                    throw new FleetException(push.Locations.Of("keyFile"), e.Message);
                }

                return new(new RndcPusher(zoneDir!, rndc, new ServedZoneReader(primary, transferKey)), rndc);
            case DnsPushSpec.Rfc2136:
                return new(new Rfc2136Pusher(Client(Required(push.Server, "server"), "server"), Tsig("keyFile", push.KeyFile)), null);
            default:
                throw new FleetException(push.Locations.Of("method"), $"dns.push.method '{push.Method}' is not one of directory, rndc, rfc2136");
        }
    }

    public void Dispose() => owned?.Dispose();
}
