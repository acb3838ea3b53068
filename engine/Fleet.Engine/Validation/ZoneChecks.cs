using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;

namespace Fleet.Engine.Validation;

/// <summary>
/// Checks of a Zone document: it names a zone fleetctl manages (a site domain or a reverse zone of a
/// site network), each record's value suits its type, and CNAMEs stand alone and never at the apex.
/// </summary>
internal static partial class ZoneChecks
{
    public static void Check(ZoneSpec zone, FleetSpec? fleet, List<Diagnostic> diagnostics)
    {
        if (fleet is not null && !IsManaged(zone.Name.TrimEnd('.'), fleet))
        {
            diagnostics.Add(Diagnostic.Error(zone.Locations.Of("name"),
                $"zone '{zone.Name}' is not managed by this fleet: it is neither a site domain nor a reverse zone of a site network"));
        }

        var byName = new Dictionary<string, List<ZoneRecordSpec>>(StringComparer.OrdinalIgnoreCase);
        foreach (var record in zone.Records)
        {
            if (ValueError(record) is { } error)
            {
                diagnostics.Add(Diagnostic.Error(record.Location, $"zone '{zone.Name}': {record.Type} record '{record.Name}': {error}"));
            }

            if (record.Type == "CNAME" && record.Name == "@")
            {
                diagnostics.Add(Diagnostic.Error(record.Location, $"zone '{zone.Name}': a CNAME cannot be at the zone apex (@)"));
            }

            if (!byName.TryGetValue(record.Name, out var same))
            {
                byName[record.Name] = same = [];
            }

            if (same.FirstOrDefault(r => r.Type == record.Type && r.Value == record.Value) is { } duplicate)
            {
                diagnostics.Add(Diagnostic.Error(record.Location, $"zone '{zone.Name}': duplicate {record.Type} record '{record.Name}' (also at {duplicate.Location})"));
            }
            else if (same.Count > 0 && (record.Type == "CNAME" || same.Any(r => r.Type == "CNAME")))
            {
                diagnostics.Add(Diagnostic.Error(record.Location,
                    $"zone '{zone.Name}': '{record.Name}' has a CNAME and other records (also at {same[0].Location}); a CNAME must be the only record of its name"));
            }

            same.Add(record);
        }
    }

    private static string? ValueError(ZoneRecordSpec record)
    {
        var value = record.Value.Trim();
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return record.Type switch
        {
            "A" => IpText.IsIPv4(value)
                ? null : $"'{value}' is not an IPv4 address (four decimal octets without leading zeros)",
            "AAAA" => IpText.Parse(value) is { AddressFamily: AddressFamily.InterNetworkV6 }
                ? null : $"'{value}' is not an IPv6 address",
            "CNAME" or "NS" or "PTR" => IsHostName(value) ? null : $"'{value}' is not a host name",
            "MX" => parts.Length == 2 && IsUShort(parts[0]) && IsHostName(parts[1])
                ? null : $"'{value}' must be '<preference> <host>', such as '10 mail.example.net.'",
            "SRV" => parts.Length == 4 && parts[..3].All(IsUShort) && IsHostName(parts[3])
                ? null : $"'{value}' must be '<priority> <weight> <port> <target>', such as '10 5 5060 sip.example.net.'",
            "CAA" => CaaValue().IsMatch(value)
                ? null : $"'{value}' must be '<flags> <tag> \"<value>\"', such as '0 issue \"letsencrypt.org\"'",
            _ => null,
        };
    }

    private static bool IsUShort(string text) => ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static bool IsHostName(string text) => text.Length <= 254 && HostName().IsMatch(text);

    private static bool IsManaged(string zone, FleetSpec fleet)
    {
        if (fleet.Sites.Any(s => string.Equals(s.Domain.TrimEnd('.'), zone, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (ReverseZoneNetwork(zone) is not { } reverse)
        {
            return false;
        }

        return fleet.Sites.SelectMany(s => s.Networks).Any(n => Cidr.TryParse(n, out var network, out _) && network.Overlaps(reverse));
    }

    /// <summary>The network a reverse zone covers: <c>1.10.in-addr.arpa</c> → 10.1.0.0/16.</summary>
    private static Cidr? ReverseZoneNetwork(string zone)
    {
        const string v4 = ".in-addr.arpa";
        const string v6 = ".ip6.arpa";
        if (zone.EndsWith(v4, StringComparison.OrdinalIgnoreCase))
        {
            var octets = zone[..^v4.Length].Split('.').Reverse().ToArray();
            if (octets.Length is < 1 or > 4 || !octets.All(o => byte.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                return null;
            }

            var bytes = new byte[4];
            for (var i = 0; i < octets.Length; i++)
            {
                bytes[i] = byte.Parse(octets[i], CultureInfo.InvariantCulture);
            }

            return new Cidr(new IPAddress(bytes), octets.Length * 8);
        }

        if (zone.EndsWith(v6, StringComparison.OrdinalIgnoreCase))
        {
            var nibbles = zone[..^v6.Length].Split('.').Reverse().ToArray();
            if (nibbles.Length is < 1 or > 32 || !nibbles.All(n => n.Length == 1 && Uri.IsHexDigit(n[0])))
            {
                return null;
            }

            var bytes = new byte[16];
            for (var i = 0; i < nibbles.Length; i++)
            {
                var nibble = Convert.ToByte(nibbles[i], 16);
                bytes[i / 2] |= (byte)(i % 2 == 0 ? nibble << 4 : nibble);
            }

            return new Cidr(new IPAddress(bytes), nibbles.Length * 4);
        }

        return null;
    }

    [GeneratedRegex(@"^(@|[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9_])?)*\.?)\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    [GeneratedRegex(@"^([01]?[0-9]?[0-9]|2[0-4][0-9]|25[0-5]) (issue|issuewild|iodef) ""[^""]*""$", RegexOptions.CultureInvariant)]
    private static partial Regex CaaValue();
}
