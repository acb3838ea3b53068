using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleet.Engine.Validation;

namespace Fleet.Providers.Dns.Zones;

/// <summary>
/// Reverse zones derived from site networks: the octet-aligned <c>in-addr.arpa</c> (nibble-aligned
/// <c>ip6.arpa</c>) zones that exactly cover a network, e.g. 10.1.0.0/16 → 1.10.in-addr.arpa and
/// 10.2.0.0/23 → 0.2.10 and 1.2.10.in-addr.arpa.
/// </summary>
public static class ReverseZones
{
    /// <summary>More zones than this for one network is a typo (a /9 would make 128 zones).</summary>
    public const int MaxZonesPerNetwork = 16;

    /// <summary>The zones covering <paramref name="cidr"/>, or why it cannot be covered.</summary>
    public static (IReadOnlyList<string> Zones, string? Error) Cover(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || IpText.Parse(cidr[..slash]) is not { } address ||
            !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return ([], $"'{cidr}' is not a network in CIDR notation (like 10.1.0.0/16)");
        }

        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var bits = v4 ? 32 : 128;
        var step = v4 ? 8 : 4;
        if (prefix < step || prefix > bits)
        {
            return ([], $"'{cidr}': the prefix length must be from {step} to {bits}");
        }

        var bytes = address.GetAddressBytes();
        if (!IsNetworkAddress(bytes, prefix))
        {
            return ([], $"'{cidr}' has host bits set; did you mean {Mask(bytes, prefix)}/{prefix}?");
        }

        var aligned = (prefix + step - 1) / step * step;
        var count = 1 << (aligned - prefix);
        if (count > MaxZonesPerNetwork)
        {
            return ([], $"'{cidr}' would need {count} reverse zones; use a prefix length that is a multiple of {step} or closer to one");
        }

        var zones = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var subnet = (byte[])bytes.Clone();
            SetSubnetBits(subnet, prefix, aligned, i);
            zones.Add(ZoneName(subnet, aligned, v4));
        }

        return (zones, null);
    }

    /// <summary>The PTR owner name of an address: <c>5.0.1.10.in-addr.arpa.</c> or the 32-nibble ip6.arpa name.</summary>
    public static string PtrName(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return string.Create(CultureInfo.InvariantCulture, $"{v4[3]}.{v4[2]}.{v4[1]}.{v4[0]}.in-addr.arpa.");
        }

        return ZoneName(address.GetAddressBytes(), 128, v4: false);
    }

    private static string ZoneName(byte[] bytes, int prefix, bool v4)
    {
        var sb = new StringBuilder();
        if (v4)
        {
            for (var i = prefix / 8 - 1; i >= 0; i--)
            {
                sb.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return sb.Append("in-addr.arpa.").ToString();
        }

        for (var nibble = prefix / 4 - 1; nibble >= 0; nibble--)
        {
            var b = bytes[nibble / 2];
            sb.Append("0123456789abcdef"[nibble % 2 == 0 ? b >> 4 : b & 0xF]).Append('.');
        }

        return sb.Append("ip6.arpa.").ToString();
    }

    private static bool IsNetworkAddress(byte[] bytes, int prefix)
    {
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static IPAddress Mask(byte[] bytes, int prefix)
    {
        var masked = (byte[])bytes.Clone();
        for (var bit = prefix; bit < masked.Length * 8; bit++)
        {
            masked[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(masked);
    }

    /// <summary>Sets the host bits between <paramref name="prefix"/> and <paramref name="aligned"/> to <paramref name="value"/>.</summary>
    private static void SetSubnetBits(byte[] bytes, int prefix, int aligned, int value)
    {
        for (var bit = prefix; bit < aligned; bit++)
        {
            if ((value >> (aligned - 1 - bit) & 1) != 0)
            {
                bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
        }
    }
}
