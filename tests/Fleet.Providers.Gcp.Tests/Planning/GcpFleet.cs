using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp.Planning;
using Fleet.Tests.Shared;

namespace Fleet.Providers.Gcp.Tests.Planning;

/// <summary>Desired states and snapshots for GCP planning tests, with short defaults.</summary>
internal static class GcpFleet
{
    public const string Project = "acme-prod";

    public static DesiredState Desired(IEnumerable<PoolSpec> pools, IEnumerable<RoleSpec>? roles = null, int maxRecyclePercent = 25, string? endpoint = null, string credentials = "adc")
    {
        var poolList = pools.ToImmutableArray();
        var fleet = TestModel.NewFleet(
            "acme",
            null,
            [],
            [],
            null,
            new GcpSpec(Project, credentials, endpoint, At("fleet.yaml")),
            new SafetySpec(maxRecyclePercent, At("fleet.yaml")),
            At("fleet.yaml"));
        return new DesiredState(fleet, roles?.ToImmutableArray() ?? [Role("fancydb", "debian-12")], poolList, []);
    }

    public static RoleSpec Role(string name, string image) =>
        new(name, "storage-squad", image, new FieldLocations(new SourceLocation($"roles/{name}.yaml", 1, 1), ImmutableDictionary<string, SourceLocation>.Empty.Add("image", new SourceLocation($"roles/{name}.yaml", 5, 8))));

    public static PoolSpec Pool(string name, int size, string zone = "europe-west1-b", string machineType = "n2-standard-8", string role = "fancydb", bool protect = false) =>
        TestModel.NewPool(name, role, "gcp", null, null, new GcpPoolSpec(zone, machineType), size, protect,
            new FieldLocations(new SourceLocation($"pools/{name}.yaml", 1, 1), ImmutableDictionary<string, SourceLocation>.Empty
                .Add("name", new SourceLocation($"pools/{name}.yaml", 3, 7))
                .Add("gcp.zone", new SourceLocation($"pools/{name}.yaml", 6, 14))));

    /// <summary>The template fleet acme plans for a pool of role fancydb on debian-12.</summary>
    public static string TemplateOf(string pool, string machineType = "n2-standard-8", string image = "projects/debian-cloud/global/images/family/debian-12") =>
        GroupTemplates.Build("acme", pool, "fancydb", machineType, image).Name;

    public static GroupState Managed(string pool, int size, string? template = null, string zone = "europe-west1-b") =>
        new(pool, zone, template ?? TemplateOf(pool), size, "acme");

    public static GcpSnapshot Snapshot(params GroupState[] groups) => new([.. groups], []);

    public static PoolRecord Record(string name, bool isProtected) => new(name, "gcp", "fancydb", "debian-12", isProtected, DateTimeOffset.UnixEpoch, 4);

    private static FieldLocations At(string file) => FieldLocations.At(new SourceLocation(file, 1, 1));
}
