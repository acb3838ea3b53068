using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Loading.Yaml;

/// <summary>
/// A parsed YAML value with the place it was written. Fleet files are read into this small tree
/// (rather than YamlDotNet's representation model) so that duplicate keys, alias expansion and scalar
/// types are decided by fleetctl, under its limits.
/// </summary>
public abstract class YamlNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>How many nodes this value stands for once aliases are expanded; bounds the cost of using it.</summary>
    public abstract long ExpandedSize { get; }

    /// <summary>A short description for messages: "a list", "a mapping", or the scalar as written.</summary>
    public abstract string Describe();
}

/// <summary>The YAML 1.2 core-schema type of a scalar; quoted scalars are always strings.</summary>
public enum YamlScalarType
{
    String,
    Null,
    Boolean,
    Integer,
    Float,
}

public sealed class YamlScalar(SourceLocation location, string text, YamlScalarType type) : YamlNode(location)
{
    public string Text { get; } = text;

    public YamlScalarType Type { get; } = type;

    public override long ExpandedSize => 1;

    public override string Describe() => Type switch
    {
        YamlScalarType.Null => "null",
        YamlScalarType.String => $"'{Text}'",
        _ => Text,
    };
}

public sealed class YamlSequence(SourceLocation location, ImmutableArray<YamlNode> items) : YamlNode(location)
{
    public ImmutableArray<YamlNode> Items { get; } = items;

    public override long ExpandedSize { get; } = 1 + items.Sum(i => i.ExpandedSize);

    public override string Describe() => "a list";
}

/// <summary>One <c>key: value</c> pair; the key's location is where "unknown field" errors point.</summary>
public sealed record YamlEntry(YamlScalar Key, YamlNode Value);

public sealed class YamlMapping(SourceLocation location, ImmutableArray<YamlEntry> entries) : YamlNode(location)
{
    public ImmutableArray<YamlEntry> Entries { get; } = entries;

    public override long ExpandedSize { get; } = 1 + entries.Sum(e => 1 + e.Value.ExpandedSize);

    public override string Describe() => "a mapping";

    public YamlEntry? Find(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Text == key)
            {
                return entry;
            }
        }

        return null;
    }

    public YamlNode? this[string key] => Find(key)?.Value;
}

/// <summary>One YAML document of a file, with the file it came from.</summary>
public sealed record YamlDocumentNode(string File, YamlNode Root);
