using System.Collections.Frozen;

namespace Fleet.Providers.Dns.Zones;

/// <summary>The record types fleetctl generates, accepts in Zone documents and reads back from servers.</summary>
public static class RecordTypes
{
    public const string A = "A";
    public const string Aaaa = "AAAA";
    public const string Caa = "CAA";
    public const string Cname = "CNAME";
    public const string Mx = "MX";
    public const string Ns = "NS";
    public const string Ptr = "PTR";
    public const string Soa = "SOA";
    public const string Srv = "SRV";
    public const string Txt = "TXT";

    /// <summary>Types a Zone document may declare (SOA and apex NS come from <c>dns</c>), in the order zone files list them.</summary>
    public static IReadOnlyList<string> Supported { get; } = [Ns, A, Aaaa, Cname, Mx, Srv, Txt, Caa, Ptr];

    private static readonly FrozenDictionary<string, int> Orders =
        Supported.Select((t, i) => KeyValuePair.Create(t, i)).ToFrozenDictionary();

    public static bool IsSupported(string type) => Orders.ContainsKey(type);

    public static int Order(string type) => Orders.TryGetValue(type, out var order) ? order : int.MaxValue;

    /// <summary>The wire type code (RFC 1035, 3596, 2782).</summary>
    public static ushort Code(string type) => type switch
    {
        A => 1,
        Ns => 2,
        Cname => 5,
        Soa => 6,
        Ptr => 12,
        Mx => 15,
        Txt => 16,
        Aaaa => 28,
        Srv => 33,
        Caa => 257,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported record type"),
    };

    /// <summary>The type's name for a wire code, or <c>TYPEnnn</c> (RFC 3597) for the ones fleetctl does not manage.</summary>
    public static string FromCode(ushort code) => code switch
    {
        1 => A,
        2 => Ns,
        5 => Cname,
        6 => Soa,
        12 => Ptr,
        15 => Mx,
        16 => Txt,
        28 => Aaaa,
        33 => Srv,
        257 => Caa,
        _ => "TYPE" + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
