using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Wire;

namespace Fleet.Providers.Dns.Push;

/// <summary>
/// <c>rndc</c>: atomic write of the zone file into <c>zoneDir</c>, then <c>rndc reload ZONE</c>. A dynamic
/// zone (one that takes updates) is frozen around the write and thawed after, since BIND refuses to
/// reload it. A zone the server lacks is added with <c>rndc addzone</c> (needs <c>allow-new-zones yes</c>).
/// If the server refuses the new file, the previous file is put back.
/// </summary>
public sealed class RndcPusher(string zoneDirectory, RndcClient rndc, ServedZoneReader reader) : IZonePusher
{
    public string Method => "rndc";

    public bool CanReadServed => reader.CanRead;

    public Task<ServedZone?> ReadServedAsync(string zone, CancellationToken cancellationToken) => reader.ReadAsync(zone, cancellationToken);

    public async Task PushAsync(ZonePushRequest request, CancellationToken cancellationToken)
    {
        var zone = request.Zone.Name.TrimEnd('.');
        var file = request.Zone.FileName;
        var (statusExit, status) = await rndc.RunAsync(cancellationToken, "zonestatus", zone);
        if (statusExit != 0 && status.Contains("not found", StringComparison.Ordinal))
        {
            await AddZoneAsync(request, zone, cancellationToken);
            return;
        }

        Check(statusExit, status, zone, "zonestatus");
        var dynamic = status.Contains("dynamic: yes", StringComparison.Ordinal);
        if (dynamic)
        {
            var (freezeExit, freeze) = await rndc.RunAsync(cancellationToken, "freeze", zone);
            Check(freezeExit, freeze, zone, "freeze");
        }

        var previous = await ZoneFiles.WriteAtomicAsync(zoneDirectory, file, request.Text, cancellationToken);
        var (exit, output) = await rndc.RunAsync(cancellationToken, dynamic ? "thaw" : "reload", zone);
        if (exit != 0)
        {
            await ZoneFiles.RestoreAsync(zoneDirectory, file, previous, cancellationToken);
            await rndc.RunAsync(cancellationToken, dynamic ? "thaw" : "reload", zone);
            Check(exit, output, zone, dynamic ? "thaw" : "reload");
        }
    }

    private async Task AddZoneAsync(ZonePushRequest request, string zone, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(Path.Combine(zoneDirectory, request.Zone.FileName));
        await ZoneFiles.WriteAtomicAsync(zoneDirectory, request.Zone.FileName, request.Text, cancellationToken);
        var (exit, output) = await rndc.RunAsync(cancellationToken, "addzone", zone, $"{{ type primary; file \"{path}\"; }};");
        if (exit != 0)
        {
            File.Delete(path);
            throw new FleetException(
                $"zone {zone} is not configured on the name server and rndc addzone failed ({Clean(output)}); " +
                $"enable 'allow-new-zones yes;' in its options, or declare it in named.conf: zone \"{zone}\" {{ type primary; file \"{path}\"; }};");
        }
    }

    private static void Check(int exit, string output, string zone, string command)
    {
        if (exit != 0)
        {
            throw new FleetException($"zone {zone}: rndc {command} failed: {Clean(output)}");
        }
    }

    private static string Clean(string output) => string.Join("; ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
