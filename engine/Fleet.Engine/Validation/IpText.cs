using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.Engine.Validation;

/// <summary>
/// The one reading of IP addresses written by people and machines (recon, networks, Zone values,
/// serve's --listen). <see cref="IPAddress.TryParse(string, out IPAddress)"/> also takes the BSD forms:
/// <c>10.050.0.011</c> is octal (10.40.0.9), <c>0x0a.1.2.3</c> hex, <c>10.1</c> short for 10.0.0.1, so a
/// typo would silently become another address. Here IPv4 is four decimal octets without leading zeros
/// and IPv6 has no zone id; anything else is not an address.
/// </summary>
public static class IpText
{
    /// <summary>An address in one of the accepted forms, or null.</summary>
    public static IPAddress? Parse(string text)
    {
        if (IsIPv4(text))
        {
            return IPAddress.Parse(text);
        }

        // IPv6, whose last group may be an IPv4 address in the same strict form.
        if (!text.Contains(':', StringComparison.Ordinal) || text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var v6)
            || v6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var last = text[(text.LastIndexOf(':') + 1)..];
        return last.Contains('.', StringComparison.Ordinal) && !IsIPv4(last) ? null : v6;
    }

    /// <summary>Four decimal octets 0-255 without leading zeros: the only IPv4 form zone files and fleetctl accept.</summary>
    public static bool IsIPv4(ReadOnlySpan<char> text)
    {
        var rest = text;
        for (var octet = 0; octet < 4; octet++)
        {
            var dot = rest.IndexOf('.');
            var part = octet < 3 ? (dot < 0 ? [] : rest[..dot]) : rest;
            if (part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9') || (part.Length > 1 && part[0] == '0') ||
                int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }

            rest = octet < 3 ? rest[(dot + 1)..] : [];
        }

        return true;
    }

    /// <summary>
    /// An <c>address:port</c> (<c>[v6]:port</c> for IPv6) whose address is in an accepted form, or null.
    /// </summary>
    public static IPEndPoint? ParseEndPoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return null;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
            return host.Contains(':', StringComparison.Ordinal) && Parse(host) is { } v6 ? new IPEndPoint(v6, port) : null;
        }

        return IsIPv4(host) ? new IPEndPoint(IPAddress.Parse(host), port) : null;
    }
}
