using System.Collections.Immutable;
using Fleet.Engine.GitOps;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;
using static Fleet.Engine.Loading.Yaml.YamlFields;

namespace Fleet.Engine.Loading;

/// <summary>
/// Builds model records from documents that passed their schema, so types and required fields are
/// already known to be right here. Every record keeps the location of each of its fields. The fields
/// providers declared are handed to their provider, which reads them into its own records.
/// </summary>
internal sealed class ModelReader(ProviderCatalog catalog)
{
    public FleetSpec ReadFleet(YamlMapping doc)
    {
        var name = Str(doc, "name")!;
        return new FleetSpec(
            name,
            Str(doc, "inventory"),
            [.. Seq(doc, "sites").Select(n => ReadSite((YamlMapping)n))],
            [.. Seq(doc, "hardware").Select(n => new HardwareSpec(Str((YamlMapping)n, "name")!, Locate(n)))],
            doc["safety"] is YamlMapping safety
                ? new SafetySpec(Int(safety, "maxRecyclePercent") ?? SafetySpec.DefaultMaxRecyclePercent, Locate(safety))
                : new SafetySpec(SafetySpec.DefaultMaxRecyclePercent, FieldLocations.At(doc.Location)),
            Locate(doc))
        {
            Owners = doc["owners"] is YamlMapping owners
                ? owners.Entries.ToImmutableSortedDictionary(e => e.Key.Text, e => ((YamlScalar)e.Value).Text, StringComparer.Ordinal)
                : ImmutableSortedDictionary<string, string>.Empty,
            GitOps = doc["gitops"] is YamlMapping gitops ? new GitOpsSpec(Bool(gitops, "requireCommit"), Locate(gitops)) : null,
            Reconcile = doc["reconcile"] is YamlMapping reconcile ? ReadReconcile(reconcile) : ReconcileSpec.Default,
            Sections = Read(doc, ConfigTarget.Fleet, name, catalog.SectionOwner),
        };
    }

    public RoleSpec ReadRole(YamlMapping doc)
    {
        var name = Str(doc, "name")!;
        return new RoleSpec(name, Str(doc, "owner"), Str(doc, "image")!, Locate(doc))
        {
            Fields = Read(doc, ConfigTarget.Role, name, catalog.RoleFieldOwner),
        };
    }

    public PoolSpec ReadPool(YamlMapping doc)
    {
        // The schema admits only registered backends, and requires one when there is no default.
        var backend = Str(doc, "backend") ?? catalog.DefaultBackend!;
        var locations = Locate(doc);
        return new PoolSpec(Str(doc, "name")!, Str(doc, "role")!, backend, Int(doc, "size")!.Value, Bool(doc, "protect"), locations)
        {
            Reconcile = Str(doc, "reconcile") is { } mode ? ReconcileModes.Parse(mode) : null,
            Config = catalog.Backend(backend)!.Value.Definition.ReadPool(backend, doc, locations),
        };
    }

    public static ZoneSpec ReadZone(YamlMapping doc) => new(
        Str(doc, "name")!,
        [.. Seq(doc, "records").Select(n =>
        {
            var record = (YamlMapping)n;
            return new ZoneRecordSpec(Str(record, "name")!, Str(record, "type")!, Str(record, "value")!, Int(record, "ttl"), record.Location);
        })],
        Locate(doc))
    {
        Template = Str(doc, "template"),
        MaxChangePercent = Int(doc, "maxChangePercent"),
    };

    private static ReconcileSpec ReadReconcile(YamlMapping reconcile) => new(
        Str(reconcile, "mode") is { } mode ? ReconcileModes.Parse(mode) : ReconcileMode.Report,
        [.. Seq(reconcile, "freeze").Select(n => ReadFreeze((YamlMapping)n))],
        reconcile["notify"] is YamlMapping notify ? Str(notify, "webhook") : null,
        Locate(reconcile));

    /// <summary>A freeze window, parsed here once (the schema has checked the duration's spelling).</summary>
    private static FreezeSpec ReadFreeze(YamlMapping freeze)
    {
        var (schedule, duration) = (Str(freeze, "schedule")!, Str(freeze, "duration")!);
        var start = CronSchedule.TryParse(schedule, out var error);
        var window = start is not null && Durations.TryParse(duration, out var length) ? new FreezeWindow(start, length) : null;
        return new FreezeSpec(schedule, duration, window, error, Locate(freeze));
    }

    private SiteSpec ReadSite(YamlMapping site)
    {
        var name = Str(site, "name")!;
        return new SiteSpec(name, Str(site, "domain")!, Strings(site, "networks"), Locate(site))
        {
            Fields = Read(site, ConfigTarget.Site, name, catalog.SiteFieldOwner),
            AutoApprove = site["recon"] is YamlMapping recon && Bool(recon, "autoApprove"),
        };
    }

    /// <summary>The provider fields written in <paramref name="mapping"/>, each read by the provider that declared it.</summary>
    private static ProviderConfigs Read(YamlMapping mapping, ConfigTarget target, string owner, Func<string, IProviderDefinition?> ownerOf)
    {
        var configs = ProviderConfigs.Empty;
        foreach (var entry in mapping.Entries)
        {
            if (entry.Value is YamlScalar { Type: YamlScalarType.Null } || ownerOf(entry.Key.Text) is not { } definition)
            {
                continue;
            }

            configs = configs.With(entry.Key.Text, definition.ReadField(new ConfigField(target, owner, entry.Key.Text, entry.Value, Locate(entry.Value))));
        }

        return configs;
    }
}
