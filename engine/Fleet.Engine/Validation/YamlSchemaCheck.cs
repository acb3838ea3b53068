using System.Text.Json;
using Fleet.Engine.Loading.Yaml;

namespace Fleet.Engine.Validation;

/// <summary>
/// A fast yes/no evaluation of a YAML tree against one of fleetctl's schemas, without converting it to
/// JSON. Validating thousands of pool files through JsonSchema.Net costs more than the rest of
/// loading together, and almost every document is valid; so this answers "valid" cheaply and
/// JsonSchema.Net judges (and explains) only the documents this rejects.
/// It implements exactly the keywords the schemas use and refuses to build from a schema with any
/// other, so a schema cannot grow a rule this would silently skip; tests check that both agree.
/// References must be local and not recursive (the check is built eagerly).
/// </summary>
internal sealed class YamlSchemaCheck
{
    private static readonly string[] Annotations = ["$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"];

    private readonly string? _type;
    private readonly Dictionary<string, YamlSchemaCheck>? _properties;
    private readonly bool _closed;
    private readonly string[] _required = [];
    private readonly YamlSchemaCheck? _items;
    private readonly YamlSchemaCheck? _additional;
    private readonly int? _minItems;
    private readonly string[]? _enum;
    private readonly string? _const;
    private readonly Func<string, bool>? _pattern;
    private readonly int? _minLength;
    private readonly int? _maxLength;
    private readonly double? _minimum;
    private readonly double? _maximum;
    private readonly YamlSchemaCheck? _reference;

    private YamlSchemaCheck(JsonElement root, JsonElement schema)
    {
        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type": _type = value.GetString(); break;
                case "properties": _properties = value.EnumerateObject().ToDictionary(p => p.Name, p => Child(root, p.Value), StringComparer.Ordinal); break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.False: _closed = true; break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.Object: _additional = Child(root, value); break;
                case "required": _required = [.. value.EnumerateArray().Select(r => r.GetString()!)]; break;
                case "items": _items = Child(root, value); break;
                case "minItems": _minItems = value.GetInt32(); break;
                case "enum": _enum = [.. value.EnumerateArray().Select(e => e.GetString()!)]; break;
                case "const": _const = value.GetString(); break;
                case "pattern": _pattern = SchemaPatterns.For(value.GetString()!); break;
                case "minLength": _minLength = value.GetInt32(); break;
                case "maxLength": _maxLength = value.GetInt32(); break;
                case "minimum": _minimum = value.GetDouble(); break;
                case "maximum": _maximum = value.GetDouble(); break;
                case "$ref": _reference = Reference(root, value.GetString()!); break;
                case var name when Annotations.Contains(name) || name.StartsWith("x-", StringComparison.Ordinal): break;
                default: throw new InvalidOperationException($"schema keyword '{keyword.Name}' is not supported by {nameof(YamlSchemaCheck)}; implement it there too");
            }
        }
    }

    public static YamlSchemaCheck Build(JsonElement schema) => new(schema, schema);

    public bool Accepts(YamlNode node)
    {
        if (_reference is not null && !_reference.Accepts(node))
        {
            return false;
        }

        var json = JsonType(node);
        if (_type is not null && _type != json && !(_type == "number" && json == "integer"))
        {
            return false;
        }

        return node switch
        {
            YamlMapping mapping => AcceptsMapping(mapping),
            // A sequence is never one of an enum's strings: without this check `type: [1, 2]` passed validate and crashed plan.
            YamlSequence sequence => _enum is null && _const is null
                && (_minItems is null || sequence.Items.Length >= _minItems) && (_items is null || sequence.Items.All(_items.Accepts)),
            YamlScalar scalar when json == "string" => AcceptsString(scalar.Text),
            YamlScalar scalar when json is "integer" or "number" => _enum is null && _const is null && AcceptsNumber(Number(scalar)),
            _ => _enum is null && _const is null,
        };
    }

    private bool AcceptsMapping(YamlMapping mapping)
    {
        if (_enum is not null || _const is not null || _required.Any(r => mapping.Find(r) is null))
        {
            return false;
        }

        foreach (var entry in mapping.Entries)
        {
            if (_properties is not null && _properties.TryGetValue(entry.Key.Text, out var property))
            {
                if (!property.Accepts(entry.Value))
                {
                    return false;
                }
            }
            else if (_closed || (_additional is not null && !_additional.Accepts(entry.Value)))
            {
                return false;
            }
        }

        return true;
    }

    private bool AcceptsString(string text)
    {
        var length = _minLength is null && _maxLength is null ? 0 : text.EnumerateRunes().Count();
        return (_enum is null || _enum.Contains(text, StringComparer.Ordinal))
            && (_const is null || _const == text)
            && (_pattern is null || _pattern(text))
            && (_minLength is null || length >= _minLength)
            && (_maxLength is null || length <= _maxLength);
    }

    private bool AcceptsNumber(double value) => (_minimum is null || value >= _minimum) && (_maximum is null || value <= _maximum);

    /// <summary>The JSON type <see cref="YamlJson.ToJson"/> gives a node; integral floats (2.0) are integers, as in JSON Schema.</summary>
    private static string JsonType(YamlNode node) => node switch
    {
        YamlMapping => "object",
        YamlSequence => "array",
        YamlScalar { Type: YamlScalarType.Null } => "null",
        YamlScalar { Type: YamlScalarType.Boolean } => "boolean",
        YamlScalar { Type: YamlScalarType.Integer } => "integer",
        YamlScalar { Type: YamlScalarType.Float } s when Number(s) is var v && double.IsFinite(v) => Math.Floor(v) == v ? "integer" : "number",
        _ => "string",
    };

    private static double Number(YamlScalar scalar) =>
        scalar.Type == YamlScalarType.Integer ? (double)YamlJson.ParseInteger(scalar.Text) : YamlJson.ParseFloat(scalar.Text);

    private static YamlSchemaCheck Child(JsonElement root, JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
            ? new YamlSchemaCheck(root, schema)
            : throw new InvalidOperationException($"boolean subschemas are not supported by {nameof(YamlSchemaCheck)}");

    private static YamlSchemaCheck Reference(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"only local references are supported by {nameof(YamlSchemaCheck)}, not '{reference}'");
        }

        return Child(root, JsonPointers.Find(root, reference) ?? throw new InvalidOperationException($"schema reference '{reference}' points at nothing"));
    }
}
