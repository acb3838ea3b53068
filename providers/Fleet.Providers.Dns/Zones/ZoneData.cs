using System.Buffers;
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
        using var hash = new ContentHasher();
        hash.Add(string.Create(CultureInfo.InvariantCulture, $"{Name} {Ttl} {Soa.Mname} {Soa.Rname} {Soa.Refresh} {Soa.Retry} {Soa.Expire} {Soa.Minimum}"));
        hash.Add(Template.Identity);
        foreach (var ns in Nameservers)
        {
            hash.Add(Name, Ttl, RecordTypes.Ns, ns);
        }

        foreach (var record in Records)
        {
            hash.Add(record.Name, record.Ttl, record.Type, record.Value);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.Finish());
    }

    /// <summary>
    /// SHA-256 over UTF-8 lines, encoded into one reused buffer and hashed in large blocks: a zone of
    /// 100,000 records hashes without a string or byte array per record.
    /// </summary>
    private sealed class ContentHasher : IDisposable
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int used;

        /// <summary>Adds <c>name ttl type value</c> and a newline, as <see cref="ZoneRecord.ToString"/> writes a record.</summary>
        public void Add(string name, int ttl, string type, string value)
        {
            Reserve(Encoding.UTF8.GetMaxByteCount(name.Length + type.Length + value.Length) + 16);
            var span = buffer.AsSpan(used);
            var n = Encoding.UTF8.GetBytes(name, span);
            span[n++] = (byte)' ';
            ttl.TryFormat(span[n..], out var digits, provider: CultureInfo.InvariantCulture);
            n += digits;
            span[n++] = (byte)' ';
            n += Encoding.UTF8.GetBytes(type, span[n..]);
            span[n++] = (byte)' ';
            n += Encoding.UTF8.GetBytes(value, span[n..]);
            span[n++] = (byte)'\n';
            used += n;
        }

        /// <summary>Adds one line and a newline.</summary>
        public void Add(string line)
        {
            Reserve(Encoding.UTF8.GetMaxByteCount(line.Length) + 1);
            used += Encoding.UTF8.GetBytes(line, buffer.AsSpan(used));
            buffer[used++] = (byte)'\n';
        }

        public byte[] Finish()
        {
            hash.AppendData(buffer, 0, used);
            used = 0;
            return hash.GetHashAndReset();
        }

        public void Dispose()
        {
            hash.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }

        /// <summary>Hashes what is buffered when <paramref name="bytes"/> more would not fit; grows for a line longer than the buffer.</summary>
        private void Reserve(int bytes)
        {
            if (used + bytes <= buffer.Length)
            {
                return;
            }

            hash.AppendData(buffer, 0, used);
            used = 0;
            if (bytes > buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(bytes);
            }
        }
    }
}

/// <summary>Which template renders a zone: the built-in default or a file of the fleet repository, by its text.</summary>
public sealed record ZoneTemplateRef(string Source, string Text)
{
    /// <summary>Identifies the template's content for <see cref="ZoneData.ContentHash"/>.</summary>
    public string Identity => "template " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
}
