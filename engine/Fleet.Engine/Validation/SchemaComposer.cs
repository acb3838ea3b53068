using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Providers;

namespace Fleet.Engine.Validation;

/// <summary>
/// Builds each kind's full JSON Schema from the engine's core schema (embedded as
/// <c>core/KIND.schema.json</c>) and the registered providers' fragments: fleet.yaml sections at the
/// Fleet's root, site fields in <c>$defs/site</c>, role fields at the Role's root, the pool backends
/// as the values of <c>backend</c> with every backend's pool fields, and plug-ins folded into the
/// field they fill. The result is what validation, <c>fleetctl schema</c> and editors see.
/// </summary>
public static class SchemaComposer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every kind's composed schema text, by kind.</summary>
    public static ImmutableDictionary<string, string> ComposeAll(ProviderCatalog catalog) =>
        FleetKinds.All.ToImmutableDictionary(k => k, k => Compose(k, catalog), StringComparer.Ordinal);

    /// <summary>The composed schema of <paramref name="kind"/> as indented JSON ending in a newline.</summary>
    public static string Compose(string kind, ProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var schema = (JsonObject)JsonNode.Parse(CoreText(kind))!;
        var definitions = (JsonObject?)schema["$defs"] ?? [];
        foreach (var definition in catalog.Definitions)
        {
            var fields = kind switch
            {
                FleetKinds.Fleet => definition.Schema.Sections,
                FleetKinds.Role => definition.Schema.RoleFields,
                _ => [],
            };
            AddFields(schema, fields, definition);
            if (kind == FleetKinds.Fleet)
            {
                AddFields((JsonObject)definitions["site"]!, definition.Schema.SiteFields, definition);
            }

            if (kind == FleetKinds.Pool)
            {
                foreach (var backend in definition.Schema.Backends)
                {
                    AddFields(schema, backend.PoolFields, definition, required: false);
                }
            }

            if (kind is FleetKinds.Fleet or FleetKinds.Role or FleetKinds.Pool && UsesAny(schema, definition))
            {
                foreach (var (name, fragment) in definition.Schema.Definitions.OrderBy(d => d.Key, StringComparer.Ordinal))
                {
                    definitions[name] = JsonNode.Parse(fragment);
                }
            }
        }

        if (kind == FleetKinds.Pool)
        {
            AddBackend(schema, catalog);
        }

        if (definitions.Count > 0)
        {
            schema.Remove("$defs");
            schema["$defs"] = definitions;
        }

        return schema.ToJsonString(Indented) + "\n";
    }

    /// <summary>The engine's own part of a kind's schema.</summary>
    public static string CoreText(string kind)
    {
        var name = "schemas/core/" + FleetKinds.SchemaFile(kind);
        using var stream = typeof(SchemaComposer).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded schema {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void AddFields(JsonObject target, ImmutableArray<FieldSchema> fields, IProviderDefinition definition, bool required = true)
    {
        var properties = (JsonObject)target["properties"]!;
        foreach (var field in fields)
        {
            if (properties.ContainsKey(field.Name))
            {
                throw new InvalidOperationException($"provider '{definition.Name}' declares field '{field.Name}', which the schema already has");
            }

            properties[field.Name] = WithPlugIns(field, definition);
            if (required && field.Required)
            {
                ((JsonArray)target["required"]!).Add(field.Name);
            }
        }
    }

    /// <summary>A field's fragment with the provider's plug-ins for it (or for a field below it) folded in.</summary>
    private static JsonObject WithPlugIns(FieldSchema field, IProviderDefinition definition)
    {
        var fragment = (JsonObject)JsonNode.Parse(field.Schema)!;
        foreach (var point in definition.Schema.PlugIns.GroupBy(p => p.Point, StringComparer.Ordinal))
        {
            var path = point.Key.Split('.');
            if (path[0] != field.Name)
            {
                continue;
            }

            // A role field and a section may share a name (dns): the point is the one whose path exists.
            JsonObject? target = fragment;
            foreach (var segment in path.Skip(1))
            {
                target = (JsonObject?)target?["properties"]?[segment];
            }

            if (target is null)
            {
                continue;
            }

            var properties = (JsonObject)(target["properties"] ??= new JsonObject());
            var discriminator = point.First().Discriminator;
            var choice = (JsonObject?)properties[discriminator]?.DeepClone() ?? [];
            choice["enum"] = new JsonArray([.. point.Select(p => (JsonNode)p.Name)]);
            properties[discriminator] = choice;
            var required = (JsonArray)(target["required"] ??= new JsonArray());
            if (!required.Any(r => r!.GetValue<string>() == discriminator))
            {
                required.Add(discriminator);
            }

            foreach (var plugIn in point)
            {
                foreach (var (name, schema) in (JsonObject?)JsonNode.Parse(plugIn.Schema)!["properties"] ?? [])
                {
                    if (!properties.ContainsKey(name))
                    {
                        properties[name] = schema!.DeepClone();
                    }
                }
            }
        }

        return fragment;
    }

    private static void AddBackend(JsonObject schema, ProviderCatalog catalog)
    {
        var properties = (JsonObject)schema["properties"]!;
        var names = catalog.Backends.Select(b => b.Name).ToList();
        var description = string.Join("; ", catalog.Backends.Select(b => b.IsDefault ? $"{b.Name} (default): {b.Description}" : $"{b.Name}: {b.Description}"));
        properties["backend"] = new JsonObject
        {
            ["enum"] = new JsonArray([.. names.Select(n => (JsonNode)n)]),
            ["description"] = description,
        };
        if (catalog.DefaultBackend is null)
        {
            ((JsonArray)schema["required"]!).Add("backend");
        }
    }

    /// <summary>Whether the kind's schema now holds a field of <paramref name="definition"/> (so its definitions belong there).</summary>
    private static bool UsesAny(JsonObject schema, IProviderDefinition definition) =>
        definition.Schema.Definitions.Keys.Any(name => schema.ToJsonString().Contains($"\"#/$defs/{name}\"", StringComparison.Ordinal));
}
