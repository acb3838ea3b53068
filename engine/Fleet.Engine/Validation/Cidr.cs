using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.Engine.Validation;

/// <summary>An IP network written as <c>address/prefix</c>, with the host bits zero.</summary>
public readonly record struct Cidr(IPAddress Network, int Prefix)
{
    public AddressFamily Family => Network.AddressFamily;

    public override string ToString() => $"{Network}/{Prefix.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses a CIDR; <paramref name="error"/> says what is wrong (host bits set names the network meant).</summary>
    public static bool TryParse(string text, out Cidr cidr, out string error)
    {
        cidr = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || IpText.Parse(text[..slash]) is not { } address
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            error = $"'{text}' is not a network in CIDR notation such as 10.1.0.0/16 (decimal octets without leading zeros)";
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > bits)
        {
            error = $"'{text}' has a prefix longer than {bits} bits";
            return false;
        }

        var network = Mask(address, prefix);
        if (!network.Equals(address))
        {
            error = $"'{text}' has host bits set; did you mean {network}/{prefix}?";
            return false;
        }

        cidr = new Cidr(network, prefix);
        error = string.Empty;
        return true;
    }

    public bool Contains(IPAddress address) => address.AddressFamily == Family && Mask(address, Prefix).Equals(Network);

    public bool Overlaps(Cidr other) => other.Family == Family && (Contains(other.Network) || other.Contains(Network));

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
