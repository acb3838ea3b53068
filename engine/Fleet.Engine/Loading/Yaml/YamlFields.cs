using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;

namespace Fleet.Engine.Loading.Yaml;

/// <summary>
/// Reading values out of a mapping that already passed its schema, so types are known to be right:
/// the model reader and providers (reading their own fields) share these.
/// </summary>
public static class YamlFields
{
    /// <summary>A scalar's text; null when absent or written as null.</summary>
    public static string? Str(YamlMapping mapping, string key) => mapping[key] is YamlScalar { Type: not YamlScalarType.Null } s ? s.Text : null;

    /// <summary>A number the schema has already checked; integers may be written as 2.0 or 0x10.</summary>
    public static double? Num(YamlMapping mapping, string key) => mapping[key] switch
    {
        YamlScalar { Type: YamlScalarType.Integer } s => (double)YamlJson.ParseInteger(s.Text),
        YamlScalar { Type: YamlScalarType.Float } s => YamlJson.ParseFloat(s.Text),
        _ => null,
    };

    public static int? Int(YamlMapping mapping, string key) => Num(mapping, key) is { } value ? (int)value : null;

    /// <summary>A boolean the schema has already checked; false when absent.</summary>
    public static bool Bool(YamlMapping mapping, string key) => Str(mapping, key) is "true" or "True" or "TRUE";

    public static IEnumerable<YamlNode> Seq(YamlMapping mapping, string key) => mapping[key] is YamlSequence s ? s.Items : [];

    /// <summary>The texts of a list of scalars.</summary>
    public static ImmutableArray<string> Strings(YamlMapping mapping, string key) => [.. Seq(mapping, key).Select(n => ((YamlScalar)n).Text)];

    /// <summary>The location of every field below a node, keyed by its path as written (<c>gcp.zone</c>, <c>networks[1]</c>).</summary>
    public static FieldLocations Locate(YamlNode node)
    {
        var fields = ImmutableDictionary.CreateBuilder<string, SourceLocation>(StringComparer.Ordinal);
        Collect(node, string.Empty, fields);
        return new FieldLocations(node.Location, fields.ToImmutable());
    }

    private static void Collect(YamlNode node, string prefix, ImmutableDictionary<string, SourceLocation>.Builder fields)
    {
        switch (node)
        {
            case YamlMapping mapping:
                foreach (var entry in mapping.Entries)
                {
                    var path = prefix.Length == 0 ? entry.Key.Text : $"{prefix}.{entry.Key.Text}";
                    fields[path] = entry.Value.Location;
                    Collect(entry.Value, path, fields);
                }

                break;
            case YamlSequence sequence:
                for (var i = 0; i < sequence.Items.Length; i++)
                {
                    var path = $"{prefix}[{i}]";
                    fields[path] = sequence.Items[i].Location;
                    Collect(sequence.Items[i], path, fields);
                }

                break;
        }
    }
}
