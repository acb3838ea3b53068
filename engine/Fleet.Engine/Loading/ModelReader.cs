using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;

namespace Fleet.Engine.Loading;

/// <summary>
/// Builds model records from documents that passed their schema, so types and required fields are
/// already known to be right here. Every record keeps the location of each of its fields.
/// </summary>
internal static class ModelReader
{
    public static FleetSpec ReadFleet(YamlMapping doc) => new(
        Str(doc, "name")!,
        Str(doc, "inventory"),
        [.. Seq(doc, "sites").Select(n => ReadSite((YamlMapping)n))],
        [.. Seq(doc, "hardware").Select(n => new HardwareSpec(Str((YamlMapping)n, "name")!, Locate(n)))],
        doc["dns"] is YamlMapping dns ? ReadDns(dns) : null,
        doc["gcp"] is YamlMapping gcp ? new GcpSpec(Str(gcp, "project")!, Str(gcp, "credentials") ?? "adc", Str(gcp, "endpoint"), Locate(gcp)) : null,
        doc["safety"] is YamlMapping safety
            ? new SafetySpec(Int(safety, "maxRecyclePercent") ?? SafetySpec.DefaultMaxRecyclePercent, Locate(safety))
            : new SafetySpec(SafetySpec.DefaultMaxRecyclePercent, FieldLocations.At(doc.Location)),
        Locate(doc))
    {
        Owners = doc["owners"] is YamlMapping owners
            ? owners.Entries.ToImmutableSortedDictionary(e => e.Key.Text, e => ((YamlScalar)e.Value).Text, StringComparer.Ordinal)
            : ImmutableSortedDictionary<string, string>.Empty,
        GitOps = doc["gitops"] is YamlMapping gitops ? new GitOpsSpec(Str(gitops, "requireCommit") is "true" or "True" or "TRUE", Locate(gitops)) : null,
        Reconcile = doc["reconcile"] is YamlMapping reconcile ? ReadReconcile(reconcile) : ReconcileSpec.Default,
    };

    private static ReconcileSpec ReadReconcile(YamlMapping reconcile) => new(
        Str(reconcile, "mode") ?? ReconcileSpec.Report,
        [.. Seq(reconcile, "freeze").Select(n => new FreezeSpec(Str((YamlMapping)n, "schedule")!, Str((YamlMapping)n, "duration")!, Locate(n)))],
        reconcile["notify"] is YamlMapping notify ? Str(notify, "webhook") : null,
        Locate(reconcile));

    public static RoleSpec ReadRole(YamlMapping doc) => new(Str(doc, "name")!, Str(doc, "owner"), Str(doc, "image")!, Locate(doc))
    {
        Dns = doc["dns"] is YamlMapping dns
            ? new RoleDnsSpec([.. Seq(dns, "srv").Select(n =>
            {
                var srv = (YamlMapping)n;
                return new SrvSpec(Str(srv, "service")!, Int(srv, "port")!.Value, Int(srv, "priority") ?? 0, Int(srv, "weight") ?? 0, srv.Location);
            })])
            : null,
    };

    public static PoolSpec ReadPool(YamlMapping doc) => new(
        Str(doc, "name")!,
        Str(doc, "role")!,
        Str(doc, "backend") == "gcp" ? PoolBackend.Gcp : PoolBackend.Physical,
        Str(doc, "site"),
        Str(doc, "hardware"),
        doc["gcp"] is YamlMapping gcp ? new GcpPoolSpec(Str(gcp, "zone")!, Str(gcp, "machineType")!) : null,
        Int(doc, "size")!.Value,
        Str(doc, "protect") is "true" or "True" or "TRUE",
        Locate(doc))
    {
        Reconcile = Str(doc, "reconcile"),
    };

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

    private static SiteSpec ReadSite(YamlMapping site)
    {
        var power = (YamlMapping)site["power"]!;
        return new SiteSpec(
            Str(site, "name")!,
            Str(site, "domain")!,
            [.. Seq(site, "networks").Select(n => ((YamlScalar)n).Text)],
            new PowerSpec(
                Str(power, "driver")!,
                Num(power, "installSeconds"),
                Num(power, "recycleSeconds"),
                Num(power, "failureRate"),
                Str(power, "username"),
                Str(power, "password"),
                Locate(power))
            {
                InstallTimeoutSeconds = Num(power, "installTimeoutSeconds"),
                RecycleTimeoutSeconds = Num(power, "recycleTimeoutSeconds"),
                CaFile = Str(power, "caFile"),
            },
            Locate(site))
        {
            AutoApprove = site["recon"] is YamlMapping recon && Str(recon, "autoApprove") is "true" or "True" or "TRUE",
        };
    }

    private static DnsSpec ReadDns(YamlMapping dns)
    {
        var push = dns["push"] as YamlMapping;
        return new DnsSpec(
            [.. Seq(dns, "nameservers").Select(n => ((YamlScalar)n).Text)],
            Int(dns, "ttl") ?? 300,
            Str(dns, "template"),
            push is null ? null : new DnsPushSpec(Str(push, "method")!, Str(push, "zoneDir"), Str(push, "server"), Str(push, "keyFile"), Locate(push))
            {
                Primary = Str(push, "primary"),
                TransferKey = Str(push, "transferKey"),
            },
            Locate(dns));
    }

    private static string? Str(YamlMapping mapping, string key) => mapping[key] is YamlScalar { Type: not YamlScalarType.Null } s ? s.Text : null;

    /// <summary>A number the schema has already checked; integers may be written as 2.0 or 0x10.</summary>
    private static double? Num(YamlMapping mapping, string key) => mapping[key] switch
    {
        YamlScalar { Type: YamlScalarType.Integer } s => (double)YamlJson.ParseInteger(s.Text),
        YamlScalar { Type: YamlScalarType.Float } s => YamlJson.ParseFloat(s.Text),
        _ => null,
    };

    private static int? Int(YamlMapping mapping, string key) => Num(mapping, key) is { } value ? (int)value : null;

    private static IEnumerable<YamlNode> Seq(YamlMapping mapping, string key) => mapping[key] is YamlSequence s ? s.Items : [];

    /// <summary>The location of every field below a mapping, keyed by its path as written (<c>gcp.zone</c>, <c>networks[1]</c>).</summary>
    private static FieldLocations Locate(YamlNode node)
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
