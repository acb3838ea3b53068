using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Validation;

namespace Fleet.Engine.Inventory;

/// <summary>The site and hardware names a fleet declares: recon records must name one of each.</summary>
public sealed record ReconCatalog(IReadOnlySet<string> Sites, IReadOnlySet<string> HardwareTypes)
{
    public static ReconCatalog From(FleetSpec fleet) => new(
        fleet.Sites.Select(s => s.Name).ToHashSet(StringComparer.Ordinal),
        fleet.Hardware.Select(h => h.Name).ToHashSet(StringComparer.Ordinal));
}

/// <summary>One recon input: its name for messages (a path, or <c>&lt;stdin&gt;</c>) and its bytes.</summary>
public sealed record ReconInput(string Name, ReadOnlyMemory<byte> Content);

/// <summary>
/// Reads recon reports: one JSON object, an array of objects, or newline-delimited JSON (any sequence
/// of top-level values). Every record is validated and normalised; every problem in every file is
/// reported, with file, line, column and record number, so a caller can write all or nothing.
/// </summary>
public static partial class ReconReader
{
    /// <summary>Reads every input; the records are valid only when there are no diagnostics.</summary>
    public static (ImmutableArray<ReconRecord> Records, ImmutableArray<Diagnostic> Diagnostics) Read(IEnumerable<ReconInput> inputs, ReconCatalog catalog)
    {
        var records = ImmutableArray.CreateBuilder<ReconRecord>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var seen = new Dictionary<string, ReconRecord>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            foreach (var record in ReadFile(input, catalog, diagnostics))
            {
                if (seen.TryGetValue(record.HardwareName, out var first))
                {
                    diagnostics.Add(record.Error($"hardware name {record.HardwareName} appears twice (first at {first.Location}, record {first.Number})"));
                    continue;
                }

                seen.Add(record.HardwareName, record);
                records.Add(record);
            }
        }

        return (records.ToImmutable(), diagnostics.ToImmutable());
    }

    private static List<ReconRecord> ReadFile(ReconInput input, ReconCatalog catalog, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var records = new List<ReconRecord>();
        var content = input.Content.Span;
        if (content.StartsWith(Encoding.UTF8.Preamble))
        {
            content = content[Encoding.UTF8.Preamble.Length..];
        }

        var lines = new LineMap(content);
        var reader = new Utf8JsonReader(content, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
        var number = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        ReadRecord(ref reader);
                    }
                }
                else
                {
                    ReadRecord(ref reader);
                }
            }
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var column = (int)(e.BytePositionInLine ?? 0) + 1;
            diagnostics.Add(Diagnostic.Error(new SourceLocation(input.Name, line, column), $"malformed JSON: {SyntaxReason(e.Message)}"));
        }
        catch (InvalidOperationException) when (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
        {
            // The reader checks structure, not the UTF-8 inside strings: decoding one is what fails.
            var (line, column) = lines.Locate(reader.TokenStartIndex);
            diagnostics.Add(Diagnostic.Error(new SourceLocation(input.Name, line, column), "malformed JSON: a string is not valid UTF-8"));
        }

        if (number == 0 && diagnostics.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(new SourceLocation(input.Name, 1, 1), "no recon records in the file"));
        }

        return records;

        void ReadRecord(ref Utf8JsonReader reader)
        {
            number++;
            var (line, column) = lines.Locate(reader.TokenStartIndex);
            var location = new SourceLocation(input.Name, line, column);
            var problems = new List<string>();
            var record = ParseRecord(ref reader, catalog, location, number, problems);
            foreach (var problem in problems)
            {
                diagnostics.Add(Diagnostic.Error(location, $"record {number}: {problem}"));
            }

            if (record is not null && problems.Count == 0)
            {
                records.Add(record);
            }
        }
    }

    /// <summary>One scalar as read: whether the field was there, its token, and its text (string value or raw JSON).</summary>
    private readonly record struct Scalar(bool Present, JsonTokenType Token, string? Text)
    {
        public bool IsMissing => !Present || Token == JsonTokenType.Null;

        public string Raw => Token switch
        {
            JsonTokenType.String => $"\"{Text}\"",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            _ => Text ?? "null",
        };
    }

    /// <summary>
    /// Reads one record straight from the reader (no intermediate document: this runs 100,000 times
    /// for a large recon file), then validates it. Problems come in a fixed order whatever the field
    /// order: unknown fields, hardwareName, hardwareType, site, rack, bmc, interfaces.
    /// </summary>
    private static ReconRecord? ParseRecord(ref Utf8JsonReader reader, ReconCatalog catalog, SourceLocation location, int number, List<string> problems)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            problems.Add($"expected a JSON object, found {Describe(reader.TokenType)}");
            reader.Skip();
            return null;
        }

        Scalar nameValue = default, typeValue = default, siteValue = default, rackValue = default;
        BmcEndpoint? bmc = null;
        ImmutableArray<NetworkInterface> interfaces = [];
        var nested = new List<string>();
        var bmcProblems = new List<string>();
        bool sawBmc = false, sawInterfaces = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("hardwareName"u8))
            {
                nameValue = Once(nameValue, ReadScalar(ref reader), "hardwareName", problems);
            }
            else if (reader.ValueTextEquals("hardwareType"u8))
            {
                typeValue = Once(typeValue, ReadScalar(ref reader), "hardwareType", problems);
            }
            else if (reader.ValueTextEquals("site"u8))
            {
                siteValue = Once(siteValue, ReadScalar(ref reader), "site", problems);
            }
            else if (reader.ValueTextEquals("rack"u8))
            {
                rackValue = Once(rackValue, ReadScalar(ref reader), "rack", problems);
            }
            else if (reader.ValueTextEquals("bmc"u8))
            {
                Once(ref sawBmc, "bmc", problems);
                reader.Read();
                bmc = ReadBmc(ref reader, bmcProblems);
            }
            else if (reader.ValueTextEquals("interfaces"u8))
            {
                Once(ref sawInterfaces, "interfaces", problems);
                reader.Read();
                interfaces = ReadInterfaces(ref reader, nested);
            }
            else
            {
                problems.Add($"unknown field '{reader.GetString()}'");
                reader.Read();
                reader.Skip();
            }
        }

        var name = RequiredString(nameValue, "hardwareName", string.Empty, problems);
        if (name is not null && !HardwareName().IsMatch(name))
        {
            problems.Add($"hardwareName '{name}' must be 1-128 characters of letters, digits, '.', '_' and '-'");
        }

        var hardwareType = RequiredString(typeValue, "hardwareType", string.Empty, problems);
        if (hardwareType is not null && !catalog.HardwareTypes.Contains(hardwareType))
        {
            problems.Add($"unknown hardwareType '{hardwareType}' (fleet.yaml declares: {List(catalog.HardwareTypes)})");
        }

        var site = RequiredString(siteValue, "site", string.Empty, problems);
        if (site is not null && !catalog.Sites.Contains(site))
        {
            problems.Add($"unknown site '{site}' (fleet.yaml declares: {List(catalog.Sites)})");
        }

        var rack = OptionalString(rackValue, "rack", string.Empty, problems);
        problems.AddRange(bmcProblems);
        problems.AddRange(nested);
        return name is null || hardwareType is null || site is null
            ? null
            : new ReconRecord(name, hardwareType, site, rack, bmc, interfaces, location, number);
    }

    /// <summary>Reads the value after a property name; objects and arrays are skipped and only their kind kept.</summary>
    private static Scalar ReadScalar(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new Scalar(true, JsonTokenType.String, reader.GetString());
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var token = reader.TokenType;
                reader.Skip();
                return new Scalar(true, token, null);
            default:
                return new Scalar(true, reader.TokenType, Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }

    /// <summary>
    /// The value of a field, and a problem when the object already had it: JSON parsers disagree on
    /// which of two copies counts (System.Text.Json takes the last), so a record must not say two things.
    /// </summary>
    private static Scalar Once(Scalar previous, Scalar value, string field, List<string> problems)
    {
        if (previous.Present)
        {
            problems.Add($"field '{field}' appears twice");
        }

        return value;
    }

    private static void Once(ref bool seen, string field, List<string> problems)
    {
        if (seen)
        {
            problems.Add($"field '{field}' appears twice");
        }

        seen = true;
    }

    private static BmcEndpoint? ReadBmc(ref Utf8JsonReader reader, List<string> problems)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            problems.Add($"bmc: expected an object {{address, port?}}, found {Describe(reader.TokenType)}");
            reader.Skip();
            return null;
        }

        Scalar addressValue = default, portValue = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("address"u8))
            {
                addressValue = Once(addressValue, ReadScalar(ref reader), "bmc.address", problems);
            }
            else if (reader.ValueTextEquals("port"u8))
            {
                portValue = Once(portValue, ReadScalar(ref reader), "bmc.port", problems);
            }
            else
            {
                problems.Add($"unknown field 'bmc.{reader.GetString()}'");
                reader.Read();
                reader.Skip();
            }
        }

        var address = RequiredString(addressValue, "address", "bmc.", problems);
        if (address is not null)
        {
            var normal = NormalizeBmcAddress(address);
            if (normal is null)
            {
                problems.Add($"bmc.address: '{address}' is not an IP address (IPv4 as four decimal octets without leading zeros) or a host name");
            }

            address = normal;
        }

        int? port = null;
        if (!portValue.IsMissing)
        {
            if (portValue.Token == JsonTokenType.Number && int.TryParse(portValue.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535)
            {
                port = value;
            }
            else
            {
                problems.Add($"bmc.port: expected a port number 1-65535, found {portValue.Raw}");
            }
        }

        return address is null ? null : new BmcEndpoint(address, port);
    }

    private static ImmutableArray<NetworkInterface> ReadInterfaces(ref Utf8JsonReader reader, List<string> problems)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            problems.Add($"interfaces: expected an array, found {Describe(reader.TokenType)}");
            reader.Skip();
            return [];
        }

        var interfaces = ImmutableArray.CreateBuilder<NetworkInterface>();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var path = $"interfaces[{index++}].";
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problems.Add($"{path[..^1]}: expected an object {{name, mac, ip?}}, found {Describe(reader.TokenType)}");
                reader.Skip();
                continue;
            }

            Scalar nameValue = default, macValue = default, ipValue = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    nameValue = Once(nameValue, ReadScalar(ref reader), path + "name", problems);
                }
                else if (reader.ValueTextEquals("mac"u8))
                {
                    macValue = Once(macValue, ReadScalar(ref reader), path + "mac", problems);
                }
                else if (reader.ValueTextEquals("ip"u8))
                {
                    ipValue = Once(ipValue, ReadScalar(ref reader), path + "ip", problems);
                }
                else
                {
                    problems.Add($"unknown field '{path}{reader.GetString()}'");
                    reader.Read();
                    reader.Skip();
                }
            }

            var name = RequiredString(nameValue, "name", path, problems);
            var mac = RequiredString(macValue, "mac", path, problems);
            var ip = OptionalString(ipValue, "ip", path, problems);
            var normalMac = mac is null ? null : NormalizeMac(mac);
            if (mac is not null && normalMac is null)
            {
                problems.Add($"{path}mac: '{mac}' is not a MAC address (expected six hex octets, e.g. 0c:c4:7a:12:34:56)");
            }

            var normalIp = ip is null ? null : NormalizeIp(ip);
            if (ip is not null && normalIp is null)
            {
                problems.Add($"{path}ip: '{ip}' is not an IPv4 (four decimal octets without leading zeros) or IPv6 address");
            }

            if (name is null || normalMac is null || (ip is not null && normalIp is null))
            {
                continue;
            }

            if (interfaces.Any(i => i.Name == name))
            {
                problems.Add($"{path}name: interface '{name}' appears twice");
            }

            if (interfaces.Any(i => i.Mac == normalMac))
            {
                problems.Add($"{path}mac: {normalMac} appears twice");
            }

            if (normalIp is not null && interfaces.Any(i => i.Ip == normalIp))
            {
                problems.Add($"{path}ip: {normalIp} appears twice");
            }

            interfaces.Add(new NetworkInterface(name, normalMac, normalIp));
        }

        return interfaces.DrainToImmutable();
    }

    /// <summary>Six hex octets separated by ':' or '-', or twelve hex digits; normalised to lower case with colons.</summary>
    public static string? NormalizeMac(string text)
    {
        var match = Mac().Match(text);
        if (!match.Success)
        {
            return null;
        }

        return string.Create(17, text, static (result, source) =>
        {
            var digit = 0;
            foreach (var c in source)
            {
                if (c is ':' or '-')
                {
                    continue;
                }

                var at = digit + (digit / 2);
                if (digit % 2 == 0 && digit > 0)
                {
                    result[at - 1] = ':';
                }

                result[at] = char.ToLowerInvariant(c);
                digit++;
            }
        });
    }

    /// <summary>
    /// A dotted-quad IPv4 (decimal, no leading zeros) or an IPv6 address, in canonical form; shorthand
    /// such as "10.1", octal "010.1.1.1" and hex "0x0a.1.1.1" are refused (<see cref="IpText"/>).
    /// </summary>
    public static string? NormalizeIp(string text) => IpText.Parse(text)?.ToString();

    /// <summary>
    /// A BMC address: an IP as <see cref="NormalizeIp"/> reads it, or a host name (letters, digits and
    /// hyphens in dot-separated labels, the last one not numeric), in lower case without a final dot.
    /// Null for anything else, so "010.1.1.1" is neither a typo'd IP nor a "host name".
    /// </summary>
    public static string? NormalizeBmcAddress(string text)
    {
        if (NormalizeIp(text) is { } ip)
        {
            return ip;
        }

        var name = text.EndsWith('.') ? text[..^1] : text;
        return name.Length <= 253 && HostName().IsMatch(name) && !NumericLabel().IsMatch(name[(name.LastIndexOf('.') + 1)..])
            ? name.ToLowerInvariant()
            : null;
    }

    private static string? RequiredString(Scalar value, string field, string path, List<string> problems)
    {
        if (value.IsMissing)
        {
            problems.Add($"{path}{field}: required");
            return null;
        }

        return NonEmptyString(value, field, path, problems);
    }

    private static string? OptionalString(Scalar value, string field, string path, List<string> problems) =>
        value.IsMissing ? null : NonEmptyString(value, field, path, problems);

    private static string? NonEmptyString(Scalar value, string field, string path, List<string> problems)
    {
        if (value.Token != JsonTokenType.String || value.Text is not { Length: > 0 } text)
        {
            problems.Add($"{path}{field}: expected a non-empty string, found {value.Raw}");
            return null;
        }

        // Recon comes from the network and ends up on operators' terminals: no escape sequences, no line breaks.
        if (PrintableText.Problem(text) is { } problem)
        {
            problems.Add($"{path}{field}: {problem}; recon fields are printable text");
            return null;
        }

        return text;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => "null",
    };

    private static string List(IEnumerable<string> names) =>
        names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "none";

    /// <summary>System.Text.Json's message without its own position suffix (the diagnostic carries it).</summary>
    private static string SyntaxReason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd('.', ' ');
    }

    // \z, not $: $ also matches before a final newline, so "SN1\n" would pass.
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z")]
    private static partial Regex HardwareName();

    [GeneratedRegex(@"^(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{12})\z")]
    private static partial Regex Mac();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostName();

    /// <summary>A label that IPv4 parsers would read as a number (decimal, octal or hex): never the last label of a host name.</summary>
    [GeneratedRegex(@"^(?:[0-9]+|0[xX][0-9A-Fa-f]*)\z")]
    private static partial Regex NumericLabel();

    /// <summary>Byte offset → 1-based line and column (columns count bytes, as System.Text.Json's do).</summary>
    private sealed class LineMap
    {
        private readonly List<long> starts = [0];

        public LineMap(ReadOnlySpan<byte> content)
        {
            for (var i = content.IndexOf((byte)'\n'); i >= 0;)
            {
                starts.Add(starts[^1] + i + 1);
                var next = content[(int)starts[^1]..].IndexOf((byte)'\n');
                i = next;
            }
        }

        public (int Line, int Column) Locate(long offset)
        {
            var index = starts.BinarySearch(offset);
            if (index < 0)
            {
                index = ~index - 1;
            }

            return (index + 1, (int)(offset - starts[index]) + 1);
        }
    }
}
