using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical;
using Fleet.Providers.Physical.Planning;
using Fleet.Tests.Shared;

namespace Fleet.Benchmarks.Planning;

/// <summary>
/// The pure planner on an in-memory fleet of 100,000 machines, 5,000 pools, 4 sites, 8 hardware
/// types and 40 racks per site. <c>fresh</c>: every machine available, 70% of them to install.
/// <c>steady</c>: pools filled, 1% of members broken (replacements), 5% of pools growing by 2,
/// 2% on an old image (reimage batches). Target: at most 200 ms for the physical planner.
/// Run: <c>dotnet run -c Release --project tests/Fleet.Benchmarks -- --filter '*PlanningBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class PlanningBenchmarks
{
    private const int Sites = 4;
    private const int Hardware = 8;
    private const int Racks = 40;

    private DesiredState desired = null!;
    private PhysicalSnapshot snapshot = null!;
    private FleetPlanner planner = null!;
    private Plan plan = null!;

    [Params(100_000)]
    public int Machines { get; set; }

    [Params("fresh", "steady")]
    public string Inventory { get; set; } = "fresh";

    [GlobalSetup]
    public void Setup()
    {
        (desired, snapshot) = Build(Machines, Machines / 20, Inventory == "steady");
        // Planning reads nothing from the store: the snapshot is given.
        planner = new FleetPlanner([new PhysicalProvider(null!)]);
        plan = Assemble();
    }

    [Benchmark(Baseline = true)]
    public ProviderPlan PhysicalPlanner_Plan() => PhysicalPlanner.Plan(desired, snapshot, PlanOptions.Default);

    /// <summary>The whole pure pipeline: provider plans, safety, dependency order, ids, guards and checksum.</summary>
    [Benchmark]
    public Plan FleetPlanner_Plan() => Assemble();

    [Benchmark]
    public byte[] PlanFile_Serialize() => PlanFile.Serialize(plan);

    private Plan Assemble() =>
        planner.Plan(desired, [snapshot], PlanSource.Worktree, new PlanOptions(PlanSelection.All, Force: true));

    internal static (DesiredState Desired, PhysicalSnapshot Snapshot) Build(int machines, int pools, bool steady)
    {
        var at = FieldLocations.At(new SourceLocation("generated.yaml", 1, 1));
        var roles = Enumerable.Range(0, 100).Select(r => new RoleSpec($"role-{r:D3}", "team", "debian-12", at)).ToImmutableArray();
        var buckets = Sites * Hardware;
        var perBucket = machines / buckets;
        var poolsPerBucket = pools / buckets;
        var size = perBucket * 7 / 10 / poolsPerBucket;
        var poolSpecs = ImmutableArray.CreateBuilder<PoolSpec>(pools);
        var inventory = ImmutableArray.CreateBuilder<Machine>(machines);
        var epoch = DateTimeOffset.UnixEpoch;
        for (var p = 0; p < pools; p++)
        {
            var bucket = p % buckets;
            var grows = steady && p % 20 == 0 ? 2 : 0;
            poolSpecs.Add(TestModel.NewPool($"pool-{p:D5}", roles[p % roles.Length].Name, "physical", Site(bucket % Sites), Hw(bucket / Sites), null, size + grows, false, at));
        }

        var next = new int[buckets];
        for (var m = 0; m < machines; m++)
        {
            var bucket = m % buckets;
            var index = next[bucket]++;
            var machine = new Machine($"GX{m:X6}", Hw(bucket / Sites), Site(bucket % Sites), $"r{(m / buckets) % Racks:D2}", null, [], MachineState.Available, null, null, null, null, epoch, epoch, 1);
            var poolIndex = index / size;
            if (steady && poolIndex < poolsPerBucket)
            {
                var pool = poolSpecs[(poolIndex * buckets) + bucket];
                var image = pool.Name.EndsWith('7') && poolIndex % 5 == 0 ? "debian-11" : "debian-12";
                machine = machine with
                {
                    State = m % 100 == 0 ? MachineState.Broken : MachineState.InUse,
                    Pool = pool.Name,
                    Role = pool.Role,
                    Image = image,
                    Hostname = HostnameAllocator.Candidate(pool.Site!, pool.Role, machine.HardwareName, 0),
                };
            }

            inventory.Add(machine);
        }

        var fleet = TestModel.NewFleet(
            "bench",
            null,
            [.. Enumerable.Range(0, Sites).Select(s => TestModel.NewSite(Site(s), $"{Site(s)}.example.net", [], new PowerSpec(PowerSpec.Simulated, null, null, null, null, null, at), at))],
            [.. Enumerable.Range(0, Hardware).Select(h => new HardwareSpec(Hw(h), at))],
            null,
            null,
            new SafetySpec(SafetySpec.DefaultMaxRecyclePercent, at),
            at);
        return (new DesiredState(fleet, roles, poolSpecs.MoveToImmutable(), []), new PhysicalSnapshot(inventory.MoveToImmutable(), []));
    }

    private static string Site(int site) => $"site{site + 1:D2}";

    private static string Hw(int hardware) => $"hw{hardware + 1:D2}";
}
