using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Wire;

/// <summary>Decodes messages, following compression pointers (RFC 1035 §4.1.4) with loop protection.</summary>
internal ref struct DnsReader
{
    private readonly ReadOnlySpan<byte> message;
    private int position;

    private DnsReader(ReadOnlySpan<byte> message)
    {
        this.message = message;
        position = 0;
    }

    public static DnsMessage Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new DnsReader(bytes);
        if (bytes.Length < 12)
        {
            throw new DnsProtocolException("DNS message shorter than its header");
        }

        var id = r.U16();
        var flags = r.U16();
        var counts = new[] { r.U16(), r.U16(), r.U16(), r.U16() };
        var questions = ImmutableArray.CreateBuilder<DnsQuestion>(counts[0]);
        for (var i = 0; i < counts[0]; i++)
        {
            questions.Add(new DnsQuestion(r.Name(), r.U16(), r.U16()));
        }

        var answers = r.Records(counts[1]);
        var authority = r.Records(counts[2]);
        var additional = ImmutableArray.CreateBuilder<DnsRecord>(counts[3]);
        TsigRecord? tsig = null;
        var tsigOffset = 0;
        for (var i = 0; i < counts[3]; i++)
        {
            var start = r.position;
            var name = r.Name();
            var type = r.U16();
            if (type == TsigSigner.TypeCode && i == counts[3] - 1)
            {
                tsigOffset = start;
                tsig = r.Tsig(name);
                continue;
            }

            additional.Add(r.RecordAfterName(name, type));
        }

        var rcode = (DnsRcode)(flags & 0xF);
        return new DnsMessage
        {
            Id = id,
            IsResponse = (flags & 0x8000) != 0,
            Opcode = (DnsOpcode)((flags >> 11) & 0xF),
            Authoritative = (flags & 0x0400) != 0,
            Truncated = (flags & 0x0200) != 0,
            RecursionDesired = (flags & 0x0100) != 0,
            Rcode = rcode,
            Questions = questions.MoveToImmutable(),
            Answers = answers,
            Authority = authority,
            Additional = additional.ToImmutable(),
            Tsig = tsig,
            TsigOffset = tsigOffset,
        };
    }

    private ImmutableArray<DnsRecord> Records(int count)
    {
        var records = ImmutableArray.CreateBuilder<DnsRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var name = Name();
            records.Add(RecordAfterName(name, U16()));
        }

        return records.MoveToImmutable();
    }

    private DnsRecord RecordAfterName(string name, ushort type)
    {
        var @class = U16();
        var ttl = U32();
        var length = U16();
        var end = position + length;
        if (end > message.Length)
        {
            throw new DnsProtocolException("record data runs past the end of the message");
        }

        var data = length == 0 ? string.Empty : Rdata(type, length);
        if (position != end)
        {
            throw new DnsProtocolException($"malformed {RecordTypes.FromCode(type)} record data for {name}");
        }

        return new DnsRecord(name, type, @class, ttl, data);
    }

    private TsigRecord Tsig(string keyName)
    {
        _ = U16(); // class ANY
        _ = U32(); // TTL 0
        var length = U16();
        var end = position + length;
        var algorithm = Name();
        var time = ((long)U16() << 32) | U32();
        var fudge = U16();
        var mac = Take(U16()).ToImmutableArray();
        var originalId = U16();
        var error = (DnsRcode)U16();
        var other = Take(U16()).ToImmutableArray();
        if (position != end)
        {
            throw new DnsProtocolException("malformed TSIG record");
        }

        return new TsigRecord(keyName, algorithm, time, fudge, mac, originalId, error, other);
    }

    private string Rdata(ushort type, int length)
    {
        switch (RecordTypes.FromCode(type))
        {
            case RecordTypes.A when length == 4:
            case RecordTypes.Aaaa when length == 16:
                return new IPAddress(Take(length)).ToString();
            case RecordTypes.Ns or RecordTypes.Cname or RecordTypes.Ptr:
                return Name();
            case RecordTypes.Mx:
                return Invariant($"{U16()} {Name()}");
            case RecordTypes.Srv:
                return Invariant($"{U16()} {U16()} {U16()} {Name()}");
            case RecordTypes.Soa:
                return Invariant($"{Name()} {Name()} {U32()} {U32()} {U32()} {U32()} {U32()}");
            case RecordTypes.Caa:
                var caaEnd = position + length;
                var caaFlags = U8();
                var tag = Encoding.ASCII.GetString(Take(U8())).ToLowerInvariant();
                return Invariant($"{caaFlags} {tag} {RecordData.QuoteTxt([Encoding.Latin1.GetString(Take(caaEnd - position))])}");
            case RecordTypes.Txt:
                var end = position + length;
                var strings = new List<string>();
                while (position < end)
                {
                    strings.Add(Encoding.Latin1.GetString(Take(U8())));
                }

                return RecordData.QuoteTxt(strings);
            default:
                return Invariant($"\\# {length} {Convert.ToHexString(Take(length))}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A possibly compressed name, as an absolute lowercase name.</summary>
    private string Name()
    {
        var sb = new StringBuilder();
        var at = position;
        var jumped = false;
        for (var hops = 0; ; hops++)
        {
            if (at >= message.Length || hops > 127)
            {
                throw new DnsProtocolException("malformed name in DNS message");
            }

            var length = message[at];
            if ((length & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length)
                {
                    throw new DnsProtocolException("truncated compression pointer");
                }

                if (!jumped)
                {
                    position = at + 2;
                    jumped = true;
                }

                at = ((length & 0x3F) << 8) | message[at + 1];
                continue;
            }

            if (length == 0)
            {
                if (!jumped)
                {
                    position = at + 1;
                }

                break;
            }

            if (at + 1 + length > message.Length)
            {
                throw new DnsProtocolException("label runs past the end of the message");
            }

            foreach (var b in message.Slice(at + 1, length))
            {
                var c = (char)b;
                if (c is '.' or '\\' or <= ' ' or > '~')
                {
                    sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(char.ToLowerInvariant(c));
                }
            }

            sb.Append('.');
            at += 1 + length;
        }

        return sb.Length == 0 ? "." : sb.ToString();
    }

    private byte U8() => Take(1)[0];

    private ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    private uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (position + count > message.Length)
        {
            throw new DnsProtocolException("DNS message truncated");
        }

        var span = message.Slice(position, count);
        position += count;
        return span;
    }
}
