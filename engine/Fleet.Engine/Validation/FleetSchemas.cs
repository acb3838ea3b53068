using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading.Yaml;
using Json.Schema;

namespace Fleet.Engine.Validation;

/// <summary>
/// The embedded JSON Schemas (one per kind), built once per process, and the evaluation of a YAML
/// document against them. Results are phrased here, for people: the library's messages name
/// keywords, ours name fields ("field 'size' must be a whole number ≥ 0, got -3").
/// </summary>
public sealed class FleetSchemas
{
    private static readonly Lazy<FleetSchemas> SharedInstance = new(() => new FleetSchemas(), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly EvaluationOptions FlagOnly = new() { OutputFormat = OutputFormat.Flag };
    private static readonly EvaluationOptions Detailed = new() { OutputFormat = OutputFormat.List };

    private readonly ImmutableDictionary<string, KindSchema> _schemas;

    private FleetSchemas()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        _schemas = FleetKinds.All.ToImmutableDictionary(k => k, k =>
        {
            var text = Text(k);
            return new KindSchema(JsonSchema.FromText(text, options), JsonDocument.Parse(text).RootElement.Clone());
        });
    }

    /// <summary>The schemas, built on first use (building costs milliseconds; do it once).</summary>
    public static FleetSchemas Shared => SharedInstance.Value;

    /// <summary>The schema text of a kind as shipped in <c>schemas/</c>.</summary>
    public static string Text(string kind)
    {
        var name = "schemas/" + FleetKinds.SchemaFile(kind);
        using var stream = typeof(FleetSchemas).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded schema {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Evaluates a document of a known kind; returns the diagnostics (none when valid).</summary>
    public ImmutableArray<Diagnostic> Validate(string kind, YamlNode root)
    {
        var schema = _schemas[kind];
        var instance = YamlJson.ToJson(root);
        if (schema.Schema.Evaluate(instance, FlagOnly).IsValid)
        {
            return [];
        }

        var results = schema.Schema.Evaluate(instance, Detailed);
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.IsValid || detail.Errors is null)
            {
                continue;
            }

            foreach (var (keyword, message) in detail.Errors)
            {
                var diagnostic = Phrase(kind, schema.Document, root, detail, keyword, message);
                if (diagnostic is not null)
                {
                    diagnostics.Add(diagnostic);
                }
            }
        }

        return diagnostics.ToImmutable();
    }

    private static Diagnostic? Phrase(string kind, JsonElement schemaDocument, YamlNode root, EvaluationResults detail, string keyword, string libraryMessage)
    {
        var instancePointer = detail.InstanceLocation.ToString();
        var (node, key) = YamlJson.Resolve(root, instancePointer);
        if (node is null)
        {
            return null;
        }

        var schemaPointer = detail.SchemaLocation.Fragment.TrimStart('#');
        var evaluationPointer = detail.EvaluationPath.ToString();
        var field = FieldPath(instancePointer);
        if (keyword.Length == 0 && evaluationPointer.EndsWith("/additionalProperties", StringComparison.Ordinal))
        {
            var parentSchema = Navigate(schemaDocument, schemaPointer[..^"/additionalProperties".Length]);
            var known = parentSchema is { } p && p.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().Select(o => o.Name).ToList()
                : [];
            var name = key?.Text ?? field;
            var parentPointer = ParentPointer(instancePointer);
            var owner = FieldPath(parentPointer);

            // A typo is more likely a field not written yet than one already there.
            if (YamlJson.Resolve(root, parentPointer).Node is YamlMapping parent)
            {
                var unused = known.Where(k => parent.Find(k) is null).ToList();
                known = unused.Count > 0 && Suggestions.Closest(name, unused) is not null ? unused : known;
            }

            var where = owner.Length == 0 ? kind : $"'{owner}'";
            return Diagnostic.Error((key ?? node).Location, $"unknown field '{name}' in {where}{Suggestions.DidYouMean(name, known)}");
        }

        var subschema = Navigate(schemaDocument, schemaPointer) ?? default;
        var secret = subschema.ValueKind == JsonValueKind.Object && subschema.TryGetProperty("x-secret", out _);
        var got = secret ? string.Empty : $", got {node.Describe()}";
        var subject = field.Length == 0 ? kind : $"field '{field}'";
        return keyword switch
        {
            "required" => Required(kind, field, subschema, node),
            "type" or "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "pattern" or "maxLength"
                => Diagnostic.Error(node.Location, $"{subject} must be {Expected(subschema)}{got}"),
            "minLength" => Diagnostic.Error(node.Location, $"{subject} must not be empty"),
            "minItems" => Diagnostic.Error(node.Location, $"{subject} must list at least {subschema.GetProperty("minItems").GetInt32()} item(s)"),
            "const" => Diagnostic.Error(node.Location, $"{subject} must be '{subschema.GetProperty("const").GetString()}'{got}"),
            "enum" => Enum(subject, subschema, node, got),
            _ => Diagnostic.Error(node.Location, $"{subject} is invalid: {libraryMessage}"),
        };
    }

    private static Diagnostic Required(string kind, string field, JsonElement subschema, YamlNode node)
    {
        var present = node is YamlMapping mapping ? mapping.Entries.Select(e => e.Key.Text).ToHashSet(StringComparer.Ordinal) : [];
        var missing = subschema.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Where(r => !present.Contains(r)).ToList();
        var where = field.Length == 0 ? kind : $"'{field}'";
        var noun = missing.Count == 1 ? "field" : "fields";
        return Diagnostic.Error(node.Location, $"missing required {noun} {string.Join(", ", missing.Select(m => $"'{m}'"))} in {where}");
    }

    private static Diagnostic Enum(string subject, JsonElement subschema, YamlNode node, string got)
    {
        var allowed = subschema.GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToList();
        var hint = node is YamlScalar scalar ? Suggestions.DidYouMean(scalar.Text, allowed) : string.Empty;
        return Diagnostic.Error(node.Location, $"{subject} must be one of {string.Join(", ", allowed)}{got}{hint}");
    }

    /// <summary>What a value must be, from the subschema: "a whole number ≥ 0", "a DNS label (…)".</summary>
    private static string Expected(JsonElement subschema)
    {
        if (subschema.TryGetProperty("x-expected", out var expected))
        {
            return expected.GetString()!;
        }

        var type = subschema.TryGetProperty("type", out var t) ? t.GetString() : null;
        var noun = type switch
        {
            "integer" => "a whole number",
            "number" => "a number",
            "string" => "a string",
            "boolean" => "true or false",
            "array" => "a list",
            "object" => "a mapping",
            _ => "a valid value",
        };
        var min = subschema.TryGetProperty("minimum", out var minimum) ? minimum.GetRawText() : null;
        var max = subschema.TryGetProperty("maximum", out var maximum) ? maximum.GetRawText() : null;
        if (max is not null && max.Length > 6)
        {
            max = null;
        }

        return (min, max) switch
        {
            (not null, not null) => $"{noun} from {min} to {max}",
            (not null, null) => $"{noun} ≥ {min}",
            (null, not null) => $"{noun} ≤ {max}",
            _ => noun,
        };
    }

    private static JsonElement? Navigate(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static string ParentPointer(string pointer) => pointer.Length == 0 ? pointer : pointer[..pointer.LastIndexOf('/')];

    /// <summary><c>/sites/0/power/driver</c> → <c>sites[0].power.driver</c>, the way users name fields.</summary>
    public static string FieldPath(string pointer)
    {
        var path = new System.Text.StringBuilder();
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                path.Append('[').Append(segment).Append(']');
            }
            else
            {
                path.Append(path.Length == 0 ? string.Empty : ".").Append(segment);
            }
        }

        return path.ToString();
    }

    private sealed record KindSchema(JsonSchema Schema, JsonElement Document);
}
