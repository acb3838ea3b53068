using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Dns;
using Fleet.Providers.Physical;
using Fleet.Tests.Shared;

namespace Fleet.Providers.Dns.Tests.Support;

/// <summary>Desired states and inventories for tests, built in code the way the loader would build them.</summary>
internal static class TestFleet
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static FieldLocations At(string file) => FieldLocations.At(new SourceLocation(file, 1, 1));

    public static SiteSpec Site(string name, string domain, params string[] networks) =>
        TestModel.NewSite(name, domain, [.. networks], new PowerSpec(PowerSpec.Simulated, null, null, null, null, null, At("fleet.yaml")), At("fleet.yaml"));

    public static DesiredState Desired(
        IEnumerable<SiteSpec> sites,
        IEnumerable<RoleSpec>? roles = null,
        IEnumerable<ZoneSpec>? zones = null,
        string[]? nameservers = null,
        int ttl = 300,
        DnsPushSpec? push = null) =>
        new(
            TestModel.NewFleet("acme", null, [.. sites], [], new DnsSpec([.. nameservers ?? ["ns1.acme.net."]], ttl, null, push, At("fleet.yaml")), null,
                new SafetySpec(SafetySpec.DefaultMaxRecyclePercent, At("fleet.yaml")), At("fleet.yaml")),
            [.. roles ?? []],
            [],
            [.. zones ?? []]);

    public static RoleSpec Role(string name, params SrvSpec[] srv) =>
        srv.Length == 0 ? new(name, "team", "debian-12", At($"roles/{name}.yaml")) : new RoleSpec(name, "team", "debian-12", At($"roles/{name}.yaml")).WithDns(new RoleDnsSpec([.. srv]));

    public static ZoneSpec Zone(string name, params ZoneRecordSpec[] records) => new(name, [.. records], At($"zones/{name}.yaml"));

    public static ZoneRecordSpec Record(string name, string type, string value, int line = 5, int? ttl = null) =>
        new(name, type, value, ttl, new SourceLocation("zones/static.yaml", line, 7));

    public static Machine Machine(string serial, string site, string? hostname, string? ip, MachineState state = MachineState.InUse, string? pool = null, string? role = null) =>
        new(serial, "high-io", site, "r1", null,
            ip is null ? [] : [new NetworkInterface("eth0", "52:54:00:00:00:01", ip)],
            state, hostname, role, pool, "debian-12", Epoch, Epoch, 1);

    /// <summary>A fleet of <paramref name="count"/> in_use machines spread over <paramref name="sites"/> sites, three pools each.</summary>
    public static (DesiredState Desired, ImmutableArray<Machine> Machines) Large(int count, int sites)
    {
        var siteSpecs = Enumerable.Range(1, sites).Select(i => Site($"s{i}", $"s{i}.acme.net", $"10.{i}.0.0/16")).ToArray();
        var machines = Enumerable.Range(0, count).Select(i =>
        {
            var site = i % sites + 1;
            var n = i / sites;
            var role = $"role{n % 3}";
            return Machine($"SN{i:D6}", $"s{site}", $"s{site}-{role}-{i:x5}", $"10.{site}.{n / 250}.{n % 250 + 1}", pool: $"{role}-s{site}", role: role);
        }).ToImmutableArray();
        var roles = new[] { Role("role0", new SrvSpec("_svc._tcp", 5432, 0, 0, SourceLocation.None)), Role("role1"), Role("role2") };
        return (Desired(siteSpecs, roles), machines);
    }
}
