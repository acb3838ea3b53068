using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Fleet.Engine.Loading.Yaml;

/// <summary>
/// Converts a YAML tree into JSON with typed scalars, for JSON Schema evaluation, and maps JSON
/// pointers from evaluation results back to the YAML nodes (and so to line:column).
/// </summary>
public static class YamlJson
{
    public static JsonElement ToJson(YamlNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMapping mapping:
                writer.WriteStartObject();
                foreach (var entry in mapping.Entries)
                {
                    writer.WritePropertyName(entry.Key.Text);
                    Write(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequence sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalar scalar:
                WriteScalar(writer, scalar);
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalar scalar)
    {
        switch (scalar.Type)
        {
            case YamlScalarType.Null:
                writer.WriteNullValue();
                break;
            case YamlScalarType.Boolean:
                writer.WriteBooleanValue(scalar.Text is "true" or "True" or "TRUE");
                break;
            case YamlScalarType.Integer:
                writer.WriteRawValue(ParseInteger(scalar.Text).ToString(CultureInfo.InvariantCulture));
                break;
            case YamlScalarType.Float when ParseFloat(scalar.Text) is var value && double.IsFinite(value):
                writer.WriteNumberValue(value);
                break;
            default:
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    public static BigInteger ParseInteger(string text) => text switch
    {
        _ when text.StartsWith("0x", StringComparison.Ordinal) => BigInteger.Parse("0" + text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        _ when text.StartsWith("0o", StringComparison.Ordinal) => text[2..].Aggregate(BigInteger.Zero, (acc, c) => (acc * 8) + (c - '0')),
        _ => BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
    };

    public static double ParseFloat(string text) => text.TrimStart('+') switch
    {
        ".inf" or ".Inf" or ".INF" => double.PositiveInfinity,
        "-.inf" or "-.Inf" or "-.INF" => double.NegativeInfinity,
        ".nan" or ".NaN" or ".NAN" => double.NaN,
        var t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The node a JSON pointer (<c>/sites/0/name</c>) designates, and the mapping key that leads to it
    /// when the last step is a field (so "unknown field" can point at the key).
    /// </summary>
    public static (YamlNode? Node, YamlScalar? Key) Resolve(YamlNode root, string pointer)
    {
        YamlNode? node = root;
        YamlScalar? key = null;
        if (pointer.Length == 0 || pointer == "#")
        {
            return (root, null);
        }

        foreach (var segment in JsonPointers.Segments(pointer))
        {
            switch (node)
            {
                case YamlMapping mapping when mapping.Find(segment) is { } entry:
                    key = entry.Key;
                    node = entry.Value;
                    break;
                case YamlSequence sequence when int.TryParse(segment, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < sequence.Items.Length:
                    key = null;
                    node = sequence.Items[index];
                    break;
                default:
                    return (null, null);
            }
        }

        return (node, key);
    }
}
