using Fleet.Providers.Dns.Wire;

namespace Fleet.Providers.Dns.Push;

/// <summary><c>directory</c>: atomic writes of <c>&lt;zone&gt;.zone</c> into <c>zoneDir</c>, for teams whose own pipeline loads them.</summary>
public sealed class DirectoryPusher(string zoneDirectory, ServedZoneReader reader) : IZonePusher
{
    public string Method => "directory";

    public bool CanReadServed => reader.CanRead;

    public Task<ServedZone?> ReadServedAsync(string zone, CancellationToken cancellationToken) => reader.ReadAsync(zone, cancellationToken);

    public async Task PushAsync(ZonePushRequest request, CancellationToken cancellationToken) =>
        await ZoneFiles.WriteAtomicAsync(zoneDirectory, request.Zone.FileName, request.Text, cancellationToken);
}
