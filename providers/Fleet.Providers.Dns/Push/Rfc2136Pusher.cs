using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Push;

/// <summary>
/// <c>rfc2136</c>: DNS UPDATE signed with TSIG carrying only the record differences, with a prerequisite
/// that the SOA is still the one that was read (a concurrent change fails the update instead of being
/// overwritten). Large diffs go in several messages of at most 64 KiB, each setting the next serial.
/// </summary>
public sealed class Rfc2136Pusher(DnsClient server, TsigKey key) : IZonePusher
{
    /// <summary>Room left under the 65,535-byte TCP message limit for the header, zone, SOA and TSIG.</summary>
    private const int MaxUpdateBytes = 60_000;

    public string Method => "rfc2136";

    public bool CanReadServed => true;

    public Task<ServedZone?> ReadServedAsync(string zone, CancellationToken cancellationToken) =>
        server.TransferAsync(zone, key, cancellationToken);

    public async Task PushAsync(ZonePushRequest request, CancellationToken cancellationToken)
    {
        var zone = request.Zone;
        if (request.Served is not { } served)
        {
            throw new FleetException(
                $"zone {zone.Name.TrimEnd('.')} is not served by {server.Server}; RFC 2136 updates only change existing zones: " +
                $"declare it on the server (type primary; allow-update {{ key \"{key.Name.TrimEnd('.')}\"; }};) and run again");
        }

        var soaType = RecordTypes.Code(RecordTypes.Soa);
        var current = served.Soa;
        var serial = zone.Serial;
        foreach (var batch in Batches(request))
        {
            var soa = string.Join(' ', zone.Soa.Mname, zone.Soa.Rname, serial.ToString(CultureInfo.InvariantCulture),
                zone.Soa.Refresh.ToString(CultureInfo.InvariantCulture), zone.Soa.Retry.ToString(CultureInfo.InvariantCulture),
                zone.Soa.Expire.ToString(CultureInfo.InvariantCulture), zone.Soa.Minimum.ToString(CultureInfo.InvariantCulture));
            var update = DnsClient.NewMessage() with
            {
                Opcode = DnsOpcode.Update,
                Questions = [new DnsQuestion(zone.Name, soaType)],
                Answers = [new DnsRecord(zone.Name, soaType, DnsClasses.In, 0, current)],
                Authority = [.. batch, new DnsRecord(zone.Name, soaType, DnsClasses.In, (uint)zone.Ttl, soa)],
            };
            await server.UpdateAsync(update, key, cancellationToken);
            current = soa;
            serial++;
        }

        // A server may silently skip parts of an update (RFC 2136 lets it); check what it serves now.
        if (await server.TransferAsync(zone.Name, key, cancellationToken) is { } after &&
            Diffing.ZoneDiff.Compute(after.Records, zone.AllRecords()) is { IsEmpty: false } left)
        {
            throw new DnsProtocolException($"the server accepted the update but still differs from the generated zone ({left})");
        }
    }

    /// <summary>
    /// Deletions first (a changed record is deleted, then added), except deletions of apex NS records,
    /// which go last: a server ignores a delete that would leave the zone without NS (RFC 2136 §3.4.2.4).
    /// Split to fit in TCP messages.
    /// </summary>
    private static IEnumerable<ImmutableArray<DnsRecord>> Batches(ZonePushRequest request)
    {
        var diff = request.Diff;
        var deleted = diff.Removed.Concat(diff.Changed.Select(c => c.Before)).ToList();
        bool IsApexNs(ZoneRecord r) => r.Name == request.Zone.Name && r.Type == RecordTypes.Ns;
        var adds = diff.Added.Concat(diff.Changed.Select(c => c.After))
            .Select(r => new DnsRecord(r.Name, RecordTypes.Code(r.Type), DnsClasses.In, (uint)r.Ttl, r.Value));
        var ordered = deleted.Where(r => !IsApexNs(r)).Select(Delete).Concat(adds).Concat(deleted.Where(IsApexNs).Select(Delete));
        var batch = ImmutableArray.CreateBuilder<DnsRecord>();
        var size = 0;
        foreach (var record in ordered)
        {
            var recordSize = record.Name.Length + record.Data.Length + 16;
            if (size + recordSize > MaxUpdateBytes && batch.Count > 0)
            {
                yield return batch.ToImmutable();
                batch.Clear();
                size = 0;
            }

            batch.Add(record);
            size += recordSize;
        }

        yield return batch.ToImmutable();
    }

    private static DnsRecord Delete(ZoneRecord record) => new(record.Name, RecordTypes.Code(record.Type), DnsClasses.None, 0, record.Value);
}
