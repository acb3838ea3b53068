using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp;
using Fleet.Providers.Physical;
using Fleet.Tests.Shared;

namespace Fleet.Testing;

/// <summary>Builds desired states and inventory machines for planning tests, with short defaults.</summary>
internal static class TestFleet
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DesiredState Desired(IEnumerable<PoolSpec> pools, IEnumerable<RoleSpec>? roles = null, int maxRecyclePercent = 25)
    {
        var poolList = pools.ToImmutableArray();
        var roleList = roles?.ToImmutableArray()
            ?? [.. poolList.Select(p => p.Role).Distinct().Select(r => Role(r, "debian-12"))];
        var fleet = TestModel.NewFleet(
            "acme",
            null,
            [Site("lon"), Site("sto"), Site("fra")],
            [new HardwareSpec("high-io", Locations("fleet.yaml")), new HardwareSpec("compute", Locations("fleet.yaml"))],
            null,
            null,
            new SafetySpec(maxRecyclePercent, Locations("fleet.yaml")),
            Locations("fleet.yaml"));
        return new DesiredState(fleet, roleList, poolList, []);
    }

    public static SiteSpec Site(string name) =>
        TestModel.NewSite(name, $"{name}.acme.net", ["10.1.0.0/16"], new PowerSpec(PowerSpec.Simulated, null, null, null, null, null, Locations("fleet.yaml")), Locations("fleet.yaml"));

    public static RoleSpec Role(string name, string image) => new(name, "team", image, Locations($"roles/{name}.yaml"));

    public static PoolSpec Pool(string name, string role, int size, string site = "lon", string hardware = "high-io", bool protect = false) =>
        TestModel.NewPool(name, role, "physical", site, hardware, null, size, protect, PoolLocations(name));

    public static PoolSpec GcpPool(string name, string role, int size) =>
        TestModel.NewPool(name, role, "gcp", null, null, new GcpPoolSpec("europe-west1-b", "n2-standard-8"), size, false, PoolLocations(name));

    public static Machine Machine(
        string serial,
        string? rack = "r1",
        MachineState state = MachineState.Available,
        string? pool = null,
        string? role = null,
        string? image = null,
        string? hostname = null,
        string site = "lon",
        string hardware = "high-io",
        long version = 1) =>
        new(serial, hardware, site, rack, null, [], state, hostname, role, pool, image, Epoch, Epoch, version);

    /// <summary>An in_use member of a pool, installed with the given role and image.</summary>
    public static Machine Member(string serial, string pool, string role, string? rack = "r1", MachineState state = MachineState.InUse, string image = "debian-12", string site = "lon") =>
        Machine(serial, rack, state, pool, role, image, $"{site}-{role}-{serial.ToLowerInvariant()[..Math.Min(5, serial.Length)]}", site);

    public static PoolRecord Record(string name, bool isProtected = false, long version = 3) =>
        new(name, "physical", null, null, isProtected, Epoch, version);

    private static FieldLocations Locations(string file) => FieldLocations.At(new SourceLocation(file, 1, 1));

    private static FieldLocations PoolLocations(string name) =>
        new(new SourceLocation($"pools/{name}.yaml", 1, 1), ImmutableDictionary<string, SourceLocation>.Empty
            .Add("size", new SourceLocation($"pools/{name}.yaml", 7, 7))
            .Add("backend", new SourceLocation($"pools/{name}.yaml", 5, 10))
            .Add("gcp", new SourceLocation($"pools/{name}.yaml", 6, 6)));
}
