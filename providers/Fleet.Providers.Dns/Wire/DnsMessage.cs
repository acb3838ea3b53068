using System.Collections.Immutable;

namespace Fleet.Providers.Dns.Wire;

/// <summary>DNS opcodes fleetctl speaks (RFC 1035, RFC 2136).</summary>
public enum DnsOpcode : byte
{
    Query = 0,
    Update = 5,
}

/// <summary>Response codes (RFC 1035, 2136, 8945) with the names servers and dig print.</summary>
public enum DnsRcode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    YxDomain = 6,
    YxRrset = 7,
    NxRrset = 8,
    NotAuth = 9,
    NotZone = 10,
    BadSig = 16,
    BadKey = 17,
    BadTime = 18,
}

public static class DnsClasses
{
    public const ushort In = 1;
    public const ushort None = 254;
    public const ushort Any = 255;
}

/// <summary>A question, or the zone section of an UPDATE.</summary>
public sealed record DnsQuestion(string Name, ushort Type, ushort Class = DnsClasses.In);

/// <summary>
/// A resource record on the wire. <see cref="Data"/> is the canonical presentation form for the types
/// fleetctl knows (the same text <see cref="Zones.RecordData"/> produces) and RFC 3597 <c>\# len hex</c>
/// for others; empty for the data-less records of UPDATE deletions.
/// </summary>
public sealed record DnsRecord(string Name, ushort Type, ushort Class, uint Ttl, string Data);

/// <summary>The TSIG record of a message (RFC 8945 §4.2); its MAC covers everything before it.</summary>
public sealed record TsigRecord(
    string KeyName,
    string Algorithm,
    long TimeSigned,
    ushort Fudge,
    ImmutableArray<byte> Mac,
    ushort OriginalId,
    DnsRcode Error,
    ImmutableArray<byte> Other);

/// <summary>A DNS message (RFC 1035 §4.1). For UPDATE the sections are zone, prerequisite, update and additional.</summary>
public sealed record DnsMessage
{
    public ushort Id { get; init; }

    public bool IsResponse { get; init; }

    public DnsOpcode Opcode { get; init; }

    public bool Authoritative { get; init; }

    public bool Truncated { get; init; }

    public bool RecursionDesired { get; init; }

    public DnsRcode Rcode { get; init; }

    public ImmutableArray<DnsQuestion> Questions { get; init; } = [];

    public ImmutableArray<DnsRecord> Answers { get; init; } = [];

    public ImmutableArray<DnsRecord> Authority { get; init; } = [];

    public ImmutableArray<DnsRecord> Additional { get; init; } = [];

    /// <summary>The TSIG record, when the message is signed; not part of <see cref="Additional"/>.</summary>
    public TsigRecord? Tsig { get; init; }

    /// <summary>Where the TSIG record starts in the decoded bytes: what its MAC covers.</summary>
    public int TsigOffset { get; init; }

    public byte[] Encode() => DnsWriter.Encode(this);

    public static DnsMessage Decode(ReadOnlySpan<byte> bytes) => DnsReader.Decode(bytes);
}

/// <summary>A malformed message, or a server that answered with an error; the message never contains key material.</summary>
public sealed class DnsProtocolException(string message, DnsRcode? rcode = null) : Exception(message)
{
    public DnsRcode? Rcode { get; } = rcode;
}
