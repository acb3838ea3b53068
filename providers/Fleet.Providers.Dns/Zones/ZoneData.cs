using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fleet.Engine.Diagnostics;

namespace Fleet.Providers.Dns.Zones;

public enum ZoneKind
{
    Forward,
    Reverse,
}

/// <summary>The SOA fields fleetctl sets; the serial lives on <see cref="ZoneData"/> because it is decided per push.</summary>
public sealed record SoaFields(string Mname, string Rname, int Refresh, int Retry, int Expire, int Minimum)
{
    public const int DefaultRefresh = 3600;
    public const int DefaultRetry = 600;
    public const int DefaultExpire = 1209600;
}

/// <summary>
/// One zone fleetctl manages, fully generated and validated-ready: apex NS from <c>dns.nameservers</c>
/// and every other record sorted canonically. <see cref="Serial"/> is 0 until a serial is chosen.
/// </summary>
public sealed record ZoneData(
    string Name,
    ZoneKind Kind,
    int Ttl,
    SoaFields Soa,
    ImmutableArray<string> Nameservers,
    ImmutableArray<ZoneRecord> Records,
    uint Serial,
    ZoneTemplateRef Template,
    int MaxChangePercent,
    SourceLocation Location)
{
    public const int DefaultMaxChangePercent = 30;

    /// <summary>The zone file name: <c>lon.acme.net.zone</c>, <c>1.10.in-addr.arpa.zone</c>.</summary>
    public string FileName => Name.TrimEnd('.') + ".zone";

    /// <summary>The apex NS records followed by <see cref="Records"/>: everything except the SOA, as a server serves it.</summary>
    public IEnumerable<ZoneRecord> AllRecords() =>
        Nameservers.Select(ns => new ZoneRecord(Name, RecordTypes.Ns, Ttl, ns)).Concat(Records);

    /// <summary>
    /// A hash of everything the rendered zone depends on except the serial: SOA fields, TTL, records
    /// and the template text. The serial is bumped exactly when this changes.
    /// </summary>
    public string ContentHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string line) => hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));

        Add(string.Create(CultureInfo.InvariantCulture, $"{Name} {Ttl} {Soa.Mname} {Soa.Rname} {Soa.Refresh} {Soa.Retry} {Soa.Expire} {Soa.Minimum}"));
        Add(Template.Identity);
        foreach (var record in AllRecords())
        {
            Add(record.ToString());
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>Which template renders a zone: the built-in default or a file of the fleet repository, by its text.</summary>
public sealed record ZoneTemplateRef(string Source, string Text)
{
    /// <summary>Identifies the template's content for <see cref="ZoneData.ContentHash"/>.</summary>
    public string Identity => "template " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
}
