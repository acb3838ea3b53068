using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Wire;

/// <summary>Encodes messages without name compression (always valid, and what TSIG canonical form needs anyway).</summary>
internal sealed class DnsWriter
{
    private byte[] buffer = new byte[512];

    public int Length { get; private set; }

    public static byte[] Encode(DnsMessage message)
    {
        var w = new DnsWriter();
        w.Header(message, message.Additional.Length + (message.Tsig is null ? 0 : 1));
        foreach (var q in message.Questions)
        {
            w.Name(q.Name);
            w.U16(q.Type);
            w.U16(q.Class);
        }

        foreach (var record in message.Answers.Concat(message.Authority).Concat(message.Additional))
        {
            w.Record(record);
        }

        if (message.Tsig is { } tsig)
        {
            w.Tsig(tsig);
        }

        return w.ToArray();
    }

    public byte[] ToArray() => buffer.AsSpan(0, Length).ToArray();

    public void Header(DnsMessage m, int additionalCount)
    {
        U16(m.Id);
        var flags = (m.IsResponse ? 0x8000 : 0) | ((int)m.Opcode << 11) | (m.Authoritative ? 0x0400 : 0) |
                    (m.Truncated ? 0x0200 : 0) | (m.RecursionDesired ? 0x0100 : 0) | ((int)m.Rcode & 0xF);
        U16((ushort)flags);
        U16((ushort)m.Questions.Length);
        U16((ushort)m.Answers.Length);
        U16((ushort)m.Authority.Length);
        U16((ushort)additionalCount);
    }

    public void Record(DnsRecord record)
    {
        Name(record.Name);
        U16(record.Type);
        U16(record.Class);
        U32(record.Ttl);
        var lengthAt = Reserve(2);
        var start = Length;
        if (record.Data.Length > 0)
        {
            Rdata(record.Type, record.Data);
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(lengthAt), (ushort)(Length - start));
    }

    public void Tsig(TsigRecord tsig)
    {
        Name(tsig.KeyName);
        U16(TsigSigner.TypeCode);
        U16(DnsClasses.Any);
        U32(0);
        var lengthAt = Reserve(2);
        var start = Length;
        Name(tsig.Algorithm);
        U48(tsig.TimeSigned);
        U16(tsig.Fudge);
        U16((ushort)tsig.Mac.Length);
        Bytes(tsig.Mac.AsSpan());
        U16(tsig.OriginalId);
        U16((ushort)tsig.Error);
        U16((ushort)tsig.Other.Length);
        Bytes(tsig.Other.AsSpan());
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(lengthAt), (ushort)(Length - start));
    }

    /// <summary>An absolute name in canonical (lowercase, uncompressed) wire form.</summary>
    public void Name(string name)
    {
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label.ToLowerInvariant());
            if (bytes.Length > DnsName.MaxLabelLength)
            {
                throw new DnsProtocolException($"label '{label}' is too long");
            }

            U8((byte)bytes.Length);
            Bytes(bytes);
        }

        U8(0);
    }

    public void U8(byte value)
    {
        Ensure(1);
        buffer[Length++] = value;
    }

    public void U16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(Length), value);
        Length += 2;
    }

    public void U32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void U48(long value)
    {
        U16((ushort)(value >> 32));
        U32((uint)value);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    private int Reserve(int count)
    {
        Ensure(count);
        var at = Length;
        Length += count;
        return at;
    }

    private void Ensure(int count)
    {
        if (Length + count > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, Length + count));
        }
    }

    /// <summary>RDATA from the canonical presentation form.</summary>
    private void Rdata(ushort type, string data)
    {
        var fields = data.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (RecordTypes.FromCode(type))
        {
            case RecordTypes.A or RecordTypes.Aaaa:
                Bytes(IPAddress.Parse(data).GetAddressBytes());
                break;
            case RecordTypes.Ns or RecordTypes.Cname or RecordTypes.Ptr:
                Name(data);
                break;
            case RecordTypes.Mx:
                U16(ushort.Parse(fields[0], CultureInfo.InvariantCulture));
                Name(fields[1]);
                break;
            case RecordTypes.Srv:
                U16(ushort.Parse(fields[0], CultureInfo.InvariantCulture));
                U16(ushort.Parse(fields[1], CultureInfo.InvariantCulture));
                U16(ushort.Parse(fields[2], CultureInfo.InvariantCulture));
                Name(fields[3]);
                break;
            case RecordTypes.Soa:
                Name(fields[0]);
                Name(fields[1]);
                for (var i = 2; i < 7; i++)
                {
                    U32(uint.Parse(fields[i], CultureInfo.InvariantCulture));
                }

                break;
            case RecordTypes.Caa:
                U8(byte.Parse(fields[0], CultureInfo.InvariantCulture));
                U8((byte)fields[1].Length);
                Bytes(Encoding.ASCII.GetBytes(fields[1]));
                Bytes(TxtStrings(data[(fields[0].Length + fields[1].Length + 2)..]).Single());
                break;
            case RecordTypes.Txt:
                foreach (var s in TxtStrings(data))
                {
                    U8((byte)s.Length);
                    Bytes(s);
                }

                break;
            default:
                if (fields is ["\\#", _, ..])
                {
                    Bytes(Convert.FromHexString(string.Concat(fields.Skip(2))));
                    break;
                }

                throw new DnsProtocolException($"cannot encode record type {type}");
        }
    }

    /// <summary>The character-strings of a canonical TXT value (quoted, '\' escapes and \DDD).</summary>
    private static IEnumerable<byte[]> TxtStrings(string data)
    {
        var current = new List<byte>();
        var inQuotes = false;
        for (var i = 0; i < data.Length; i++)
        {
            var c = data[i];
            if (c == '"')
            {
                if (inQuotes)
                {
                    yield return [.. current];
                    current.Clear();
                }

                inQuotes = !inQuotes;
            }
            else if (inQuotes && c == '\\' && i + 3 < data.Length && char.IsAsciiDigit(data[i + 1]))
            {
                current.Add(byte.Parse(data.AsSpan(i + 1, 3), CultureInfo.InvariantCulture));
                i += 3;
            }
            else if (inQuotes && c == '\\' && i + 1 < data.Length)
            {
                current.Add((byte)data[++i]);
            }
            else if (inQuotes)
            {
                current.Add((byte)c);
            }
        }
    }
}
