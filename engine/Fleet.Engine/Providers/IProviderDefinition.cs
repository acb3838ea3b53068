using System.Collections.Immutable;
using System.Text.Json;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Providers;

/// <summary>
/// What a provider accepts in a fleet repository and how it reads it: Terraform's GetProviderSchema,
/// ValidateProviderConfig and ValidateResourceConfig. The loader calls it before any database,
/// network or credential is touched, so every member is pure. The engine keeps the provider's parts
/// of the YAML as located nodes and hands them over here; the provider returns its own typed records
/// (kept in the model as <see cref="ProviderConfig"/>) and located diagnostics.
/// </summary>
public interface IProviderDefinition
{
    /// <summary>The provider's name, as <see cref="IProvider.Name"/>.</summary>
    string Name { get; }

    /// <summary>The fleet.yaml sections, site and role fields and pool backends it adds, with their JSON Schema fragments.</summary>
    ProviderSchema Schema { get; }

    /// <summary>The actions its plans may contain, as <see cref="IProvider.Capabilities"/> declares them: plan files are read and rendered with these.</summary>
    ImmutableArray<ActionDescriptor> Actions { get; }

    /// <summary>
    /// Reads one field this provider declared (<see cref="ProviderSchema.Sections"/>, <see cref="ProviderSchema.SiteFields"/>,
    /// <see cref="ProviderSchema.RoleFields"/>), already valid against its fragment, into its typed record.
    /// </summary>
    ProviderConfig ReadField(ConfigField field);

    /// <summary>Reads the backend fields of a pool of one of this provider's backends (valid against their fragments).</summary>
    PoolConfig ReadPool(string backend, YamlMapping pool, FieldLocations locations);

    /// <summary>
    /// The rules that span fields or documents (a pool's site must exist; a field of another driver),
    /// on every document that passed its schema. Reports into <paramref name="diagnostics"/>, with locations.
    /// </summary>
    void Check(LoadedDocuments documents, ICollection<Diagnostic> diagnostics);
}

/// <summary>Where a provider field is written: a fleet.yaml section, a field of every site, or of every role.</summary>
public enum ConfigTarget
{
    Fleet,
    Site,
    Role,
}

/// <summary>
/// One provider field as written: <paramref name="Owner"/> is the site or role it belongs to (the
/// fleet's name for a section), <paramref name="Locations"/> the location of every field below it.
/// </summary>
public sealed record ConfigField(ConfigTarget Target, string Owner, string Name, YamlNode Value, FieldLocations Locations);

/// <summary>
/// A provider's typed reading of one of its fields. Providers derive sealed records from it; the
/// engine only stores them and lists their values for desired-state diffs.
/// </summary>
public abstract record ProviderConfig
{
    /// <summary>
    /// The values as a pull request diff shows them, field paths relative to the field itself
    /// (<c>push.method</c> under <c>dns</c>); null values are left out.
    /// </summary>
    public abstract IEnumerable<(string Field, object? Value)> Describe();
}

/// <summary>
/// A provider's reading of a pool's backend fields. <see cref="Site"/> and <see cref="Hardware"/> say
/// where the pool's machines are, when its backend places pools on the fleet's sites and hardware types.
/// </summary>
public abstract record PoolConfig : ProviderConfig
{
    public virtual string? Site => null;

    public virtual string? Hardware => null;
}

/// <summary>
/// Everything a provider adds to the fleet repository's schemas. Each fragment is a JSON Schema
/// object; fragments may refer to the shared definitions of the kind they extend
/// (<c>#/$defs/dnsLabel</c>, <c>#/$defs/dnsName</c>, <c>#/$defs/secretRef</c>) and to
/// <see cref="Definitions"/>.
/// </summary>
public sealed record ProviderSchema
{
    /// <summary>Top-level sections of fleet.yaml (<c>gcp</c>).</summary>
    public ImmutableArray<FieldSchema> Sections { get; init; } = [];

    /// <summary>Fields of every site (<c>power</c>).</summary>
    public ImmutableArray<FieldSchema> SiteFields { get; init; } = [];

    /// <summary>Fields of every role (<c>dns</c>).</summary>
    public ImmutableArray<FieldSchema> RoleFields { get; init; } = [];

    /// <summary>The pool backends the provider serves (<c>backend:</c> values) and the pool fields each adds.</summary>
    public ImmutableArray<BackendSchema> Backends { get; init; } = [];

    /// <summary>
    /// Plug-ins that fill a field chosen by a discriminator (BMC drivers by <c>power.driver</c>): their
    /// fields are added to the field's schema and their names to the discriminator's values.
    /// </summary>
    public ImmutableArray<PlugInSchema> PlugIns { get; init; } = [];

    /// <summary>Definitions the fragments refer to as <c>#/$defs/NAME</c> (JSON Schema text), added to each kind's <c>$defs</c>.</summary>
    public ImmutableDictionary<string, string> Definitions { get; init; } = ImmutableDictionary<string, string>.Empty;
}

/// <summary>
/// A field a provider adds, its schema fragment (JSON Schema text, parsed only when schemas are
/// composed), and whether every document must write it.
/// </summary>
public sealed record FieldSchema(string Name, string Schema, bool Required = false);

/// <summary>
/// A pool backend: its <c>backend:</c> name, the pool fields it adds, and whether it is the backend of
/// a pool that names none (one registered backend may be).
/// </summary>
public sealed record BackendSchema(string Name, string Description, ImmutableArray<FieldSchema> PoolFields, bool IsDefault = false)
{
    /// <summary>How a pool of this backend is placed, added to the message about another backend's field on one.</summary>
    public string? Placement { get; init; }
}

/// <summary>
/// One plug-in of a provider: it fills the field at <paramref name="Point"/> (a field path of the
/// provider's own fields: <c>power</c>, <c>dns.push</c>) when its <paramref name="Discriminator"/>
/// is <paramref name="Name"/>; <paramref name="Schema"/> holds the fields it adds (<c>properties</c>)
/// and those it needs (<c>required</c>).
/// </summary>
public sealed record PlugInSchema(string Point, string Discriminator, string Name, string Schema)
{
    private readonly Lazy<(ImmutableArray<string> Fields, ImmutableArray<string> Required)> names = new(() => Names(Schema));

    /// <summary>The fields this plug-in declares.</summary>
    public ImmutableArray<string> Fields => names.Value.Fields;

    /// <summary>The fields this plug-in needs written.</summary>
    public ImmutableArray<string> RequiredFields => names.Value.Required;

    private static (ImmutableArray<string>, ImmutableArray<string>) Names(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        var root = document.RootElement;
        return (
            root.TryGetProperty("properties", out var properties) ? [.. properties.EnumerateObject().Select(p => p.Name)] : [],
            root.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : []);
    }
}

/// <summary>
/// The documents of a repository that passed their schemas, as the checks across documents see them
/// (<see cref="IProviderDefinition.Check"/>): some may be missing because they failed, so a reference
/// is reported as dangling only when <see cref="CanJudge"/> says the target could not hide in one.
/// </summary>
public sealed class LoadedDocuments(
    FleetSpec? fleet,
    ImmutableArray<RoleSpec> roles,
    ImmutableArray<PoolSpec> pools,
    ImmutableArray<ZoneSpec> zones,
    IFleetSource source,
    Func<string, string, bool> canJudge,
    bool complete)
{
    /// <summary>The Fleet document, when one passed its schema.</summary>
    public FleetSpec? Fleet { get; } = fleet;

    public ImmutableArray<RoleSpec> Roles { get; } = roles;

    public ImmutableArray<PoolSpec> Pools { get; } = pools;

    public ImmutableArray<ZoneSpec> Zones { get; } = zones;

    /// <summary>Where the documents were read; files they name (a site's CA file) must exist here.</summary>
    public IFleetSource Source { get; } = source;

    /// <summary>False when a file could not be parsed or a document has no known kind.</summary>
    public bool Complete { get; } = complete;

    /// <summary>Whether a reference to <paramref name="name"/> of <paramref name="kind"/> can be reported as dangling.</summary>
    public bool CanJudge(string kind, string name) => canJudge(kind, name);

    /// <summary>Whether a path relative to the fleet directory names a file of it; a path leading outside it does not.</summary>
    public bool FileExists(string path)
    {
        const string root = "/fleet/";
        var relative = Path.GetRelativePath(root, Path.GetFullPath(path, root));
        return !Path.IsPathRooted(path) && !relative.StartsWith("..", StringComparison.Ordinal) && Source.Exists(relative);
    }
}
