using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Engine.Validation;
using Fleet.Providers.Physical.Planning;
using static Fleet.Engine.Loading.Yaml.YamlFields;

namespace Fleet.Providers.Physical;

/// <summary>
/// What the physical provider accepts: <c>power:</c> on every site (its fields composed from the BMC
/// drivers, <see cref="PowerDriverPlugIns"/>), and the <c>physical</c> pool backend (the default) with
/// <c>site</c> and <c>hardware</c>.
/// </summary>
public sealed class PhysicalDefinition : IProviderDefinition
{
    public const string PowerField = "power";
    public const string Backend = PhysicalPlanner.ProviderName;

    public static PhysicalDefinition Instance { get; } = new();

    public string Name => PhysicalPlanner.ProviderName;

    public ImmutableArray<ActionDescriptor> Actions => PhysicalActions.All;

    public ProviderSchema Schema { get; } = new()
    {
        SiteFields =
        [
            new(PowerField, """
                {
                  "type": "object",
                  "required": ["driver"],
                  "additionalProperties": false,
                  "description": "How the site's machines are powered and booted.",
                  "properties": {
                    "driver": { "description": "The BMC driver." },
                    "installTimeoutSeconds": { "type": "number", "minimum": 1, "description": "How long an install attempt may run before it counts as failed (default 3600; simulated: 5 × installSeconds, at least 5)." },
                    "recycleTimeoutSeconds": { "type": "number", "minimum": 1, "description": "How long a sanitize attempt may run before it counts as failed (default 1800; simulated: 5 × recycleSeconds, at least 5)." }
                  }
                }
                """, Required: true),
        ],
        Backends =
        [
            new(Backend, "machines of a hardware type in a site, from the inventory", [
                new("site", """{ "$ref": "#/$defs/dnsLabel", "description": "physical: the site the machines are in." }"""),
                new("hardware", """{ "$ref": "#/$defs/dnsLabel", "description": "physical: the hardware type of the machines." }"""),
            ], IsDefault: true),
        ],
        PlugIns = PowerDriverPlugIns.All,
    };

    public ProviderConfig ReadField(ConfigField field)
    {
        var power = (YamlMapping)field.Value;
        return new PowerSpec(
            Str(power, "driver")!,
            Num(power, "installSeconds"),
            Num(power, "recycleSeconds"),
            Num(power, "failureRate"),
            Str(power, "username"),
            Str(power, "password"),
            field.Locations)
        {
            InstallTimeoutSeconds = Num(power, "installTimeoutSeconds"),
            RecycleTimeoutSeconds = Num(power, "recycleTimeoutSeconds"),
            CaFile = Str(power, "caFile"),
        };
    }

    public PoolConfig ReadPool(string backend, YamlMapping pool, FieldLocations locations) => new PhysicalPoolSpec(Str(pool, "site"), Str(pool, "hardware"));

    public void Check(LoadedDocuments documents, ICollection<Diagnostic> diagnostics)
    {
        var fleet = documents.Fleet;
        foreach (var site in fleet?.Sites ?? [])
        {
            CheckPower(site, documents, diagnostics);
        }

        foreach (var pool in documents.Pools.Where(p => p.Backend == Backend))
        {
            CheckPool(pool, documents, diagnostics);
        }
    }

    private static void CheckPool(PoolSpec pool, LoadedDocuments documents, ICollection<Diagnostic> diagnostics)
    {
        void Error(string field, string message) => diagnostics.Add(Diagnostic.Error(pool.Locations.Of(field), $"pool '{pool.Name}': {message}"));

        foreach (var (field, _) in new[] { (Field: "site", Value: pool.Site), (Field: "hardware", Value: pool.Hardware) }.Where(f => f.Value is null))
        {
            Error("name", $"a physical pool needs '{field}'");
        }

        var fleet = documents.Fleet;
        var judgeable = fleet is not null && documents.Complete;
        if (judgeable && pool.Site is { } site && !fleet!.Sites.Any(s => s.Name == site))
        {
            Error("site", $"site '{site}' is not defined in {FleetLoader.FleetFile}{Suggestions.DidYouMean(site, fleet.Sites.Select(s => s.Name))}");
        }

        if (judgeable && pool.Hardware is { } hardware && !fleet!.Hardware.Any(h => h.Name == hardware))
        {
            Error("hardware", $"hardware '{hardware}' is not defined in {FleetLoader.FleetFile}{Suggestions.DidYouMean(hardware, fleet.Hardware.Select(h => h.Name))}");
        }

        // Hostnames are <site>-<role>-<5 chars> and must stay one DNS label.
        if (pool.Site is { } s && s.Length + pool.Role.Length + 7 > 63)
        {
            Error("role", $"hostnames '{s}-{pool.Role}-xxxxx' would be longer than 63 characters; shorten the site or role name");
        }
    }

    /// <summary>Fields of another driver are refused (the schema admits every driver's), and a redfish CA file must exist.</summary>
    private static void CheckPower(SiteSpec site, LoadedDocuments documents, ICollection<Diagnostic> diagnostics)
    {
        var power = site.Power();
        var own = PowerDriverPlugIns.Find(power.Driver)?.Fields.ToHashSet(StringComparer.Ordinal) ?? [];
        var foreign = PowerDriverPlugIns.All.SelectMany(p => p.Fields).Distinct(StringComparer.Ordinal).Where(f => !own.Contains(f) && power.Locations.Fields.ContainsKey(f));
        foreach (var field in foreign)
        {
            var drivers = PowerDriverPlugIns.Declaring(field).ToList();
            var applies = drivers.Count == 1 ? $"the {drivers[0]} driver" : $"the {string.Join(" and ", drivers)} drivers";
            diagnostics.Add(Diagnostic.Error(power.Locations.Of(field), $"site '{site.Name}': power field '{field}' applies only to {applies}"));
        }

        if (power.CaFile is { } caFile && own.Contains("caFile") && !documents.FileExists(caFile))
        {
            diagnostics.Add(Diagnostic.Error(power.Locations.Of("caFile"), $"site '{site.Name}': power.caFile '{caFile}' does not exist in the fleet repository; it is a PEM file of the CA or the BMC certificates, relative to the fleet directory"));
        }
    }

}
