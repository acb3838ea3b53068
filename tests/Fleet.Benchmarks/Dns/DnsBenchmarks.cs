using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Dns;
using Fleet.Providers.Dns.Diffing;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Zones;
using Fleet.Providers.Physical;
using Fleet.Tests.Shared;

namespace Fleet.Benchmarks.Dns;

/// <summary>
/// DNS targets (docs/BENCHMARKS.md, ## DNS): every zone of a 12,000-machine fleet generated, rendered
/// and validated in ≤ 1 s; one 100,000-record zone rendered in ≤ 0.5 s and diffed in ≤ 0.3 s.
/// </summary>
[MemoryDiagnoser]
public class DnsBenchmarks
{
    private readonly ZoneRenderer renderer = new();
    private DesiredState fleet = null!;
    private ImmutableArray<Machine> machines;
    private ZoneData bigZone = null!;
    private ImmutableArray<ZoneRecord> bigZoneEdited;

    [GlobalSetup]
    public void Setup()
    {
        (fleet, machines) = Fleet(12_000, sites: 4, poolsPerSite: 50);
        var (oneSite, many) = Fleet(100_000, sites: 1, poolsPerSite: 1, withPoolRecords: false);
        bigZone = ZoneGenerator.Generate(oneSite, many, ZoneTemplates.BuiltIn).Zones.First(z => z.Kind == ZoneKind.Forward) with { Serial = 2026010101 };

        // One in a hundred machines moved, one in a hundred gone, one in a hundred new.
        var records = bigZone.AllRecords().ToList();
        for (var i = 1; i < records.Count; i += 100)
        {
            records[i] = records[i] with { Value = "10.200.0.1" };
        }

        records = [.. records.Where((_, i) => i % 100 != 50)];
        records.AddRange(Enumerable.Range(0, 1_000).Select(i => new ZoneRecord($"new-{i}.s1.acme.net.", RecordTypes.A, 300, $"10.201.{i / 250}.{i % 250 + 1}")));
        bigZoneEdited = [.. records];
    }

    [Benchmark(Description = "12k machines: generate, render and validate every zone")]
    public int AllZonesOf12kFleet()
    {
        var total = 0;
        foreach (var zone in ZoneGenerator.Generate(fleet, machines, ZoneTemplates.BuiltIn).ZonesOrThrow())
        {
            if (!ZoneValidator.Validate(zone).IsEmpty)
            {
                throw new InvalidOperationException($"zone {zone.Name} is invalid");
            }

            total += renderer.Render(zone with { Serial = 2026010101 }).Length;
        }

        return total;
    }

    [Benchmark(Description = "100k-record zone: render")]
    public int Render100kZone() => renderer.Render(bigZone).Length;

    [Benchmark(Description = "100k-record zone: diff")]
    public int Diff100kZone()
    {
        var diff = ZoneDiff.Compute(bigZone.AllRecords(), bigZoneEdited);
        return diff.Added.Length + diff.Removed.Length + diff.Changed.Length;
    }

    /// <summary>
    /// A fleet of in_use machines spread over sites with /12 networks, pools per site, and a role
    /// publishing SRV, so every kind of generated record is present.
    /// </summary>
    public static (DesiredState Desired, ImmutableArray<Machine> Machines) Fleet(int count, int sites, int poolsPerSite, bool withPoolRecords = true)
    {
        var at = FieldLocations.At(SourceLocation.None);
        var siteSpecs = Enumerable.Range(1, sites)
            .Select(s => TestModel.NewSite($"s{s}", $"s{s}.acme.net", [$"10.{s * 16}.0.0/12"], new PowerSpec(PowerSpec.Simulated, null, null, null, null, null, at), at))
            .ToImmutableArray();
        var roles = ImmutableArray.Create(
            new RoleSpec("db", "team", "debian-12", at).WithDns(new RoleDnsSpec([new SrvSpec("_db._tcp", 5432, 0, 0, SourceLocation.None)])),
            new RoleSpec("web", "team", "debian-12", at));
        var desired = new DesiredState(
            TestModel.NewFleet("bench", null, siteSpecs, [], new DnsSpec(["ns1.acme.net.", "ns2.acme.net."], 300, null, null, at), null, new SafetySpec(25, at), at),
            roles, [], []);
        var created = DateTimeOffset.UnixEpoch;
        var list = Enumerable.Range(0, count).Select(i =>
        {
            var site = i % sites + 1;
            var n = i / sites;
            var role = n % 10 == 0 ? "db" : "web";
            return new Machine(
                $"SN{i:D7}", "compute", $"s{site}", null, null,
                [new NetworkInterface("eth0", $"52:54:00:{i >> 16 & 0xFF:x2}:{i >> 8 & 0xFF:x2}:{i & 0xFF:x2}", $"10.{site * 16 + n / 62_500}.{n / 250 % 250}.{n % 250 + 1}")],
                MachineState.InUse, $"s{site}-{role}-{i:D7}", role, withPoolRecords ? $"{role}-{n % poolsPerSite}" : null, "debian-12", created, created, 1);
        }).ToImmutableArray();
        return (desired, list);
    }
}
