using System.Collections.Immutable;
using Fleet.Engine.Planning;
using Fleet.Engine.Validation;

namespace Fleet.Engine.Providers;

/// <summary>
/// The provider definitions a fleetctl is built with, and what follows from them: who owns each
/// fleet.yaml section, site and role field and pool backend, and the schemas of every kind composed
/// from the engine's core schemas and the providers' fragments (built once, on first use). Two
/// definitions that claim the same name, section, field or backend are a programming error.
/// </summary>
public sealed class ProviderCatalog
{
    private readonly Dictionary<string, IProviderDefinition> sections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IProviderDefinition> siteFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IProviderDefinition> roleFields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (IProviderDefinition Definition, BackendSchema Schema)> backends = new(StringComparer.Ordinal);
    private readonly Lazy<FleetSchemas> schemas;

    /// <param name="composed">
    /// The schemas these definitions compose to, when they were composed ahead (a build ships them as
    /// files and a test holds them to <see cref="SchemaComposer"/>): composing costs more at start-up
    /// than validating a small fleet. Null: composed on first use.
    /// </param>
    public ProviderCatalog(IEnumerable<IProviderDefinition> definitions, ImmutableDictionary<string, string>? composed = null)
    {
        Definitions = [.. definitions];
        if (Definitions.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"two provider definitions are named '{twice.Key}'", nameof(definitions));
        }

        foreach (var definition in Definitions)
        {
            var schema = definition.Schema;
            Claim(sections, schema.Sections, definition, "fleet.yaml section");
            Claim(siteFields, schema.SiteFields, definition, "site field");
            Claim(roleFields, schema.RoleFields, definition, "role field");
            foreach (var backend in schema.Backends)
            {
                if (!backends.TryAdd(backend.Name, (definition, backend)))
                {
                    throw new ArgumentException($"providers '{backends[backend.Name].Definition.Name}' and '{definition.Name}' both serve backend '{backend.Name}'", nameof(definitions));
                }
            }
        }

        var defaults = backends.Values.Where(b => b.Schema.IsDefault).Select(b => b.Schema.Name).ToList();
        if (defaults.Count > 1)
        {
            throw new ArgumentException($"backends {string.Join(" and ", defaults)} both claim to be the default", nameof(definitions));
        }

        DefaultBackend = defaults.FirstOrDefault();
        Actions = new ActionCatalog(Definitions.SelectMany(d => d.Actions));
        Backends = [.. Definitions.SelectMany(d => d.Schema.Backends)];
        schemas = new Lazy<FleetSchemas>(() => new FleetSchemas(composed ?? SchemaComposer.ComposeAll(this)), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The definitions in registration order.</summary>
    public ImmutableArray<IProviderDefinition> Definitions { get; }

    /// <summary>Every backend, in registration order.</summary>
    public ImmutableArray<BackendSchema> Backends { get; }

    /// <summary>The backend of a pool that names none; null when every pool must name one.</summary>
    public string? DefaultBackend { get; }

    /// <summary>Every provider's actions, whether or not a fleet configures the provider: what plan files may contain.</summary>
    public ActionCatalog Actions { get; }

    /// <summary>The schemas of every kind, composed from the core and every provider's fragments.</summary>
    public FleetSchemas Schemas => schemas.Value;

    public IProviderDefinition? SectionOwner(string name) => sections.GetValueOrDefault(name);

    public IProviderDefinition? SiteFieldOwner(string name) => siteFields.GetValueOrDefault(name);

    public IProviderDefinition? RoleFieldOwner(string name) => roleFields.GetValueOrDefault(name);

    /// <summary>The provider serving <paramref name="backend"/> and the backend's schema; null when none does.</summary>
    public (IProviderDefinition Definition, BackendSchema Schema)? Backend(string backend) =>
        backends.TryGetValue(backend, out var found) ? found : null;

    /// <summary>The backends that declare pool field <paramref name="field"/>.</summary>
    public IEnumerable<string> BackendsDeclaring(string field) =>
        Backends.Where(b => b.PoolFields.Any(f => f.Name == field)).Select(b => b.Name);

    private static void Claim(Dictionary<string, IProviderDefinition> owners, ImmutableArray<FieldSchema> fields, IProviderDefinition definition, string what)
    {
        foreach (var field in fields)
        {
            if (!owners.TryAdd(field.Name, definition))
            {
                throw new ArgumentException($"providers '{owners[field.Name].Name}' and '{definition.Name}' both declare the {what} '{field.Name}'");
            }
        }
    }
}
