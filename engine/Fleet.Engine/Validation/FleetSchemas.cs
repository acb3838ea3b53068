using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading.Yaml;
using Json.Schema;

namespace Fleet.Engine.Validation;

/// <summary>
/// The JSON Schemas of every kind (composed from the core and the providers' fragments by
/// <see cref="SchemaComposer"/>, see <see cref="Providers.ProviderCatalog.Schemas"/>), each built once,
/// and the evaluation of a YAML document against them. Results are phrased here, for people: the
/// library's messages name keywords, ours name fields ("field 'size' must be a whole number ≥ 0, got -3").
/// </summary>
public sealed class FleetSchemas
{
    private readonly Dictionary<string, Lazy<KindSchema>> _schemas;
    private readonly ImmutableDictionary<string, string> _texts;

    /// <param name="texts">Each kind's schema text, by kind.</param>
    public FleetSchemas(ImmutableDictionary<string, string> texts)
    {
        _texts = texts;
        _schemas = FleetKinds.All.ToDictionary(k => k, k => new Lazy<KindSchema>(() =>
        {
            var text = Text(k);
            var document = JsonDocument.Parse(text).RootElement.Clone();
            return new KindSchema(k, text, document, YamlSchemaCheck.Build(document));
        }), StringComparer.Ordinal);
    }

    /// <summary>The schema text of a kind, as <c>fleetctl schema</c> prints it and <c>schemas/</c> ships it.</summary>
    public string Text(string kind) => _texts[kind];

    /// <summary>
    /// Evaluates a document of a known kind; returns the diagnostics (none when valid). Valid documents
    /// are recognised by <see cref="YamlSchemaCheck"/>; JsonSchema.Net evaluates and explains the rest.
    /// </summary>
    public ImmutableArray<Diagnostic> Validate(string kind, YamlNode root)
    {
        var schema = _schemas[kind].Value;
        return schema.Check.Accepts(root) ? [] : Explain(schema, root);
    }

    /// <summary>Evaluates a document the fast check rejected through JsonSchema.Net and phrases what it reports.</summary>
    private static ImmutableArray<Diagnostic> Explain(KindSchema schema, YamlNode root)
    {
        var kind = schema.Kind;
        var instance = YamlJson.ToJson(root);
        var results = Library.Schema(schema).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

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

        if (diagnostics.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(root.Location, $"the {kind} document does not match its schema ({FleetKinds.SchemaFile(kind)})"));
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

        // The library's schema locations are unreliable below "items"; the subschema is found by
        // walking our own (simple) schema along the instance path instead.
        var field = FieldPath(instancePointer);
        if (keyword.Length == 0 && detail.EvaluationPath.ToString().EndsWith("/additionalProperties", StringComparison.Ordinal))
        {
            return UnknownField(kind, schemaDocument, root, instancePointer, key, node, field);
        }

        var subschema = SubschemaAt(schemaDocument, instancePointer) ?? default;
        if (subschema.ValueKind != JsonValueKind.Object)
        {
            return Diagnostic.Error(node.Location, $"{(field.Length == 0 ? kind : $"field '{field}'")} is invalid: {libraryMessage}");
        }

        var secret = subschema.TryGetProperty("x-secret", out _);
        var got = secret ? string.Empty : $", got {node.Describe()}";
        var subject = field.Length == 0 ? kind : $"field '{field}'";
        return keyword switch
        {
            "required" => Required(kind, field, subschema, node),
            "type" or "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "pattern" or "maxLength"
                => Diagnostic.Error(node.Location, $"{subject} must be {Expected(subschema, keyword)}{got}"),
            "minLength" => Diagnostic.Error(node.Location, $"{subject} must not be empty"),
            "minItems" => Diagnostic.Error(node.Location, $"{subject} must list at least {subschema.GetProperty("minItems").GetInt32()} item(s)"),
            "const" => Diagnostic.Error(node.Location, $"{subject} must be '{subschema.GetProperty("const").GetString()}'{got}"),
            "enum" => Enum(subject, subschema, node, got),
            _ => Diagnostic.Error(node.Location, $"{subject} is invalid: {libraryMessage}"),
        };
    }

    private static Diagnostic UnknownField(string kind, JsonElement schemaDocument, YamlNode root, string instancePointer, YamlScalar? key, YamlNode node, string field)
    {
        var parentPointer = instancePointer[..instancePointer.LastIndexOf('/')];
        var known = SubschemaAt(schemaDocument, parentPointer) is { } parentSchema && parentSchema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(o => o.Name).ToList()
            : [];

        // A typo is more likely a field not written yet than one already there.
        var name = key?.Text ?? field;
        if (YamlJson.Resolve(root, parentPointer).Node is YamlMapping parent)
        {
            var unused = known.Where(k => parent.Find(k) is null).ToList();
            known = Suggestions.Closest(name, unused) is not null ? unused : known;
        }

        var owner = FieldPath(parentPointer);
        var where = owner.Length == 0 ? kind : $"'{owner}'";
        return Diagnostic.Error((key ?? node).Location, $"unknown field '{name}' in {where}{Suggestions.DidYouMean(name, known)}");
    }

    /// <summary>The subschema that applies at an instance location, following properties, items and local $refs.</summary>
    private static JsonElement? SubschemaAt(JsonElement schemaDocument, string instancePointer)
    {
        JsonElement? current = Dereference(schemaDocument, schemaDocument);
        foreach (var segment in JsonPointers.Segments(instancePointer))
        {
            if (current is not { ValueKind: JsonValueKind.Object } schema)
            {
                return null;
            }

            current = schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(segment, out var property)
                ? Dereference(schemaDocument, property)
                : schema.TryGetProperty("items", out var items) && int.TryParse(segment, CultureInfo.InvariantCulture, out _)
                    ? Dereference(schemaDocument, items)
                    : schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object
                        ? Dereference(schemaDocument, additional)
                        : null;
        }

        return current;
    }

    private static JsonElement? Dereference(JsonElement schemaDocument, JsonElement schema)
    {
        var current = schema;
        while (current.ValueKind == JsonValueKind.Object && current.TryGetProperty("$ref", out var reference))
        {
            if (JsonPointers.Find(schemaDocument, reference.GetString()!) is not { } target)
            {
                return null;
            }

            current = target;
        }

        return current;
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
    private static string Expected(JsonElement subschema, string keyword)
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
        // Short ranges read best whole ("from 0 to 100"); a huge bound is named only when it was broken.
        var min = subschema.TryGetProperty("minimum", out var minimum) ? minimum.GetRawText() : null;
        var max = subschema.TryGetProperty("maximum", out var maximum) ? maximum.GetRawText() : null;
        return (min, max) switch
        {
            (not null, not null) when max.Length <= 6 => $"{noun} from {min} to {max}",
            (_, not null) when keyword == "maximum" => $"{noun} ≤ {max}",
            (not null, _) => $"{noun} ≥ {min}",
            _ => noun,
        };
    }

    /// <summary><c>/sites/0/power/driver</c> → <c>sites[0].power.driver</c>, the way users name fields.</summary>
    public static string FieldPath(string pointer)
    {
        var path = new System.Text.StringBuilder();
        foreach (var segment in JsonPointers.Segments(pointer))
        {
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

    /// <summary>A kind's schema: its text, its JSON and the fast check built from it.</summary>
    private sealed record KindSchema(string Kind, string Text, JsonElement Document, YamlSchemaCheck Check);

    /// <summary>
    /// JsonSchema.Net's builds of the schemas, by schema text. The library is touched (even loaded)
    /// only here, when a document fails the fast check: initializing it costs more than checking every
    /// document of a large fleet.
    /// </summary>
    private static class Library
    {
        private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Built = new(StringComparer.Ordinal);

        public static JsonSchema Schema(KindSchema kind) =>
            Built.GetOrAdd(kind.Text, text => new Lazy<JsonSchema>(() => JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }))).Value;
    }

    /// <summary>JsonSchema.Net's verdict alone, for tests that hold the fast check to it.</summary>
    internal bool IsValidPerJsonSchema(string kind, YamlNode root) =>
        Library.Schema(_schemas[kind].Value).Evaluate(YamlJson.ToJson(root), new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;

    /// <summary>The fast check's verdict alone.</summary>
    internal bool IsValidPerFastCheck(string kind, YamlNode root) => _schemas[kind].Value.Check.Accepts(root);
}
