using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleet.Engine.Validation;

namespace Fleet.Providers.Dns.Zones;

/// <summary>
/// Checks record data and brings it to one canonical presentation form. Everything that reaches a
/// template passed through here, so a value can never end a line, open a comment or add a record.
/// </summary>
public static class RecordData
{
    /// <summary>TXT character-strings are at most 255 bytes on the wire (RFC 1035 §3.3).</summary>
    public const int MaxTxtChunk = 255;

    /// <summary>The canonical form of <paramref name="value"/> for <paramref name="type"/>, or why it is invalid.</summary>
    public static (string? Value, string? Error) Canonicalize(string type, string value, string origin)
    {
        var trimmed = value.Trim();
        switch (type)
        {
            case RecordTypes.A:
                return IpText.IsIPv4(trimmed) ? (trimmed, null) : (null, $"'{Shorten(value)}' is not an IPv4 address");
            case RecordTypes.Aaaa:
                return IpText.Parse(trimmed) is { AddressFamily: AddressFamily.InterNetworkV6 } v6
                    ? (v6.ToString(), null)
                    : (null, $"'{Shorten(value)}' is not an IPv6 address");
            case RecordTypes.Cname or RecordTypes.Ptr or RecordTypes.Ns:
                return Target(trimmed, origin, allowRoot: false);
            case RecordTypes.Mx:
                return Fields(trimmed, origin, numbers: 1, "MX needs 'preference host'");
            case RecordTypes.Srv:
                return Fields(trimmed, origin, numbers: 3, "SRV needs 'priority weight port target'");
            case RecordTypes.Txt:
                return value.Length > 0 && value.All(c => c is >= ' ' and <= '~')
                    ? (QuoteTxt(Chunk(value)), null)
                    : (null, "TXT text must be non-empty printable ASCII");
            case RecordTypes.Caa:
                return Caa(trimmed);
            default:
                return (null, $"record type '{type}' is not supported (supported: {string.Join(", ", RecordTypes.Supported)})");
        }
    }

    /// <summary>TXT character-strings as zone files write them: each quoted, '"' and '\' escaped, others as \DDD.</summary>
    public static string QuoteTxt(IEnumerable<string> strings)
    {
        var sb = new StringBuilder();
        foreach (var s in strings)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append('"');
            foreach (var c in s)
            {
                if (c is '"' or '\\')
                {
                    sb.Append('\\').Append(c);
                }
                else if (c is < ' ' or > '~')
                {
                    sb.Append('\\').Append(((int)c).ToString("D3", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }

            sb.Append('"');
        }

        return sb.ToString();
    }

    /// <summary>CAA (RFC 8659): <c>flags tag value</c>, the value quoted or not; canonical form quotes it.</summary>
    private static (string?, string?) Caa(string value)
    {
        const string usage = "CAA needs 'flags tag \"value\"', such as '0 issue \"letsencrypt.org\"'";
        var parts = value.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var flags) ||
            parts[1].Length is 0 or > 15 || !parts[1].All(char.IsAsciiLetterOrDigit))
        {
            return (null, usage);
        }

        var text = parts[2].Length >= 2 && parts[2][0] == '"' && parts[2][^1] == '"' ? parts[2][1..^1] : parts[2];
        return text.All(c => c is >= ' ' and <= '~' and not '"' and not '\\')
            ? ($"{flags.ToString(CultureInfo.InvariantCulture)} {parts[1].ToLowerInvariant()} {QuoteTxt([text])}", null)
            : (null, usage);
    }

    private static IEnumerable<string> Chunk(string text)
    {
        for (var i = 0; i < text.Length; i += MaxTxtChunk)
        {
            yield return text.Substring(i, Math.Min(MaxTxtChunk, text.Length - i));
        }
    }

    private static (string?, string?) Target(string name, string origin, bool allowRoot)
    {
        if (allowRoot && name == ".")
        {
            return (".", null);
        }

        var absolute = DnsName.Qualify(name, origin);
        return DnsName.CheckAbsolute(absolute) is { } error ? (null, error) : (absolute, null);
    }

    private static (string?, string?) Fields(string value, string origin, int numbers, string usage)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != numbers + 1)
        {
            return (null, usage);
        }

        var canonical = new StringBuilder();
        for (var i = 0; i < numbers; i++)
        {
            if (!ushort.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return (null, $"{usage}: '{Shorten(parts[i])}' is not a number from 0 to 65535");
            }

            canonical.Append(n.ToString(CultureInfo.InvariantCulture)).Append(' ');
        }

        var (target, error) = Target(parts[^1], origin, allowRoot: numbers == 3);
        return error is null ? (canonical.Append(target).ToString(), null) : (null, error);
    }

    private static string Shorten(string s) => s.Length <= 70 ? s : s[..70] + "…";
}
