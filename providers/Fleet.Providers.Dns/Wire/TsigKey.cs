using System.Text.RegularExpressions;

namespace Fleet.Providers.Dns.Wire;

/// <summary>
/// A TSIG key (RFC 8945). Parsed from BIND's key statement as <c>tsig-keygen</c> and <c>rndc-confgen</c>
/// write it. <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed partial class TsigKey
{
    public TsigKey(string name, string algorithm, byte[] secret)
    {
        Name = Zones.DnsName.Absolute(name);
        Algorithm = Zones.DnsName.Absolute(algorithm);
        Secret = secret;
        if (Algorithm != TsigSigner.HmacSha256)
        {
            throw new ArgumentException($"TSIG algorithm '{algorithm}' is not supported (use hmac-sha256)", nameof(algorithm));
        }
    }

    public string Name { get; }

    public string Algorithm { get; }

    internal byte[] Secret { get; }

    /// <summary>Parses <c>key "name" { algorithm hmac-sha256; secret "base64"; };</c>. Errors never quote the text.</summary>
    public static TsigKey Parse(string text, string description)
    {
        var match = KeyStatement().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"{description} is not a BIND key statement (key \"name\" {{ algorithm hmac-sha256; secret \"...\"; }};)");
        }

        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(match.Groups["secret"].Value);
        }
        catch (FormatException)
        {
            throw new FormatException($"{description}: the key's secret is not base64");
        }

        try
        {
            return new TsigKey(match.Groups["name"].Value, match.Groups["algorithm"].Value, secret);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{description}: {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
        }
    }

    public override string ToString() => $"TSIG key {Name.TrimEnd('.')} ({Algorithm.TrimEnd('.')})";

    [GeneratedRegex("""key\s+"?(?<name>[A-Za-z0-9._-]+)"?\s*\{\s*algorithm\s+"?(?<algorithm>[A-Za-z0-9.-]+)"?\s*;\s*secret\s+"(?<secret>[A-Za-z0-9+/=]+)"\s*;\s*\}\s*;""")]
    private static partial Regex KeyStatement();
}
