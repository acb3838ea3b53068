using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;

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
    private static readonly ImmutableHashSet<string> RecordFields = ["hardwareName", "hardwareType", "site", "rack", "bmc", "interfaces"];
    private static readonly ImmutableHashSet<string> BmcFields = ["address", "port"];
    private static readonly ImmutableHashSet<string> InterfaceFields = ["name", "mac", "ip"];

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

        if (number == 0 && diagnostics.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(SourceLocation.OfFile(input.Name), "no recon records in the file"));
        }

        return records;

        void ReadRecord(ref Utf8JsonReader reader)
        {
            number++;
            var (line, column) = lines.Locate(reader.TokenStartIndex);
            var location = new SourceLocation(input.Name, line, column);
            using var document = JsonDocument.ParseValue(ref reader);
            var problems = new List<string>();
            var record = Validate(document.RootElement, catalog, location, number, problems);
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

    private static ReconRecord? Validate(JsonElement element, ReconCatalog catalog, SourceLocation location, int number, List<string> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"expected a JSON object, found {Describe(element.ValueKind)}");
            return null;
        }

        UnknownFields(element, RecordFields, string.Empty, problems);
        var name = RequiredString(element, "hardwareName", problems);
        if (name is not null && !HardwareName().IsMatch(name))
        {
            problems.Add($"hardwareName '{name}' must be 1-128 characters of letters, digits, '.', '_' and '-'");
        }

        var hardwareType = RequiredString(element, "hardwareType", problems);
        if (hardwareType is not null && !catalog.HardwareTypes.Contains(hardwareType))
        {
            problems.Add($"unknown hardwareType '{hardwareType}' (fleet.yaml declares: {List(catalog.HardwareTypes)})");
        }

        var site = RequiredString(element, "site", problems);
        if (site is not null && !catalog.Sites.Contains(site))
        {
            problems.Add($"unknown site '{site}' (fleet.yaml declares: {List(catalog.Sites)})");
        }

        var rack = OptionalString(element, "rack", string.Empty, problems);
        var bmc = ReadBmc(element, problems);
        var interfaces = ReadInterfaces(element, problems);
        return name is null || hardwareType is null || site is null
            ? null
            : new ReconRecord(name, hardwareType, site, rack, bmc, interfaces, location, number);
    }

    private static BmcEndpoint? ReadBmc(JsonElement record, List<string> problems)
    {
        if (!record.TryGetProperty("bmc", out var bmc) || bmc.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (bmc.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"bmc: expected an object {{address, port?}}, found {Describe(bmc.ValueKind)}");
            return null;
        }

        UnknownFields(bmc, BmcFields, "bmc.", problems);
        var address = RequiredString(bmc, "address", problems, "bmc.");
        int? port = null;
        if (bmc.TryGetProperty("port", out var portElement) && portElement.ValueKind != JsonValueKind.Null)
        {
            if (portElement.ValueKind == JsonValueKind.Number && portElement.TryGetInt32(out var value) && value is > 0 and <= 65535)
            {
                port = value;
            }
            else
            {
                problems.Add($"bmc.port: expected a port number 1-65535, found {portElement.GetRawText()}");
            }
        }

        return address is null ? null : new BmcEndpoint(address, port);
    }

    private static ImmutableArray<NetworkInterface> ReadInterfaces(JsonElement record, List<string> problems)
    {
        if (!record.TryGetProperty("interfaces", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"interfaces: expected an array, found {Describe(array.ValueKind)}");
            return [];
        }

        var interfaces = ImmutableArray.CreateBuilder<NetworkInterface>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"interfaces[{index++}].";
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{path[..^1]}: expected an object {{name, mac, ip?}}, found {Describe(item.ValueKind)}");
                continue;
            }

            UnknownFields(item, InterfaceFields, path, problems);
            var name = RequiredString(item, "name", problems, path);
            var mac = RequiredString(item, "mac", problems, path);
            var ip = OptionalString(item, "ip", path, problems);
            var normalMac = mac is null ? null : NormalizeMac(mac);
            if (mac is not null && normalMac is null)
            {
                problems.Add($"{path}mac: '{mac}' is not a MAC address (expected six hex octets, e.g. 0c:c4:7a:12:34:56)");
            }

            var normalIp = ip is null ? null : NormalizeIp(ip);
            if (ip is not null && normalIp is null)
            {
                problems.Add($"{path}ip: '{ip}' is not an IPv4 or IPv6 address");
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

        var hex = text.Replace(":", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        return string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2)));
    }

    /// <summary>A dotted-quad IPv4 or an IPv6 address in canonical form; shorthand such as "10.1" is refused.</summary>
    public static string? NormalizeIp(string text)
    {
        if (!IPAddress.TryParse(text, out var address))
        {
            return null;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork when DottedQuad().IsMatch(text) => address.ToString(),
            AddressFamily.InterNetworkV6 when address.ScopeId == 0 => address.ToString(),
            _ => null,
        };
    }

    private static string? RequiredString(JsonElement element, string field, List<string> problems, string path = "")
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{path}{field}: required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            problems.Add($"{path}{field}: expected a non-empty string, found {value.GetRawText()}");
            return null;
        }

        return text;
    }

    private static string? OptionalString(JsonElement element, string field, string path, List<string> problems)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            problems.Add($"{path}{field}: expected a non-empty string, found {value.GetRawText()}");
            return null;
        }

        return text;
    }

    private static void UnknownFields(JsonElement element, ImmutableHashSet<string> known, string path, List<string> problems)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                problems.Add($"unknown field '{path}{property.Name}'");
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
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

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex HardwareName();

    [GeneratedRegex(@"^(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{12})$")]
    private static partial Regex Mac();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex DottedQuad();

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
