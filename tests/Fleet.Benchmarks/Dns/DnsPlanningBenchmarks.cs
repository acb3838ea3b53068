using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Fleet.Benchmarks.Generators;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Physical.Planning;
using Fleet.Tests.Shared;

namespace Fleet.Benchmarks.Dns;

/// <summary>
/// The DNS part of <c>fleetctl plan</c> on the fleets of tests/bench/plan.sh (12,000 machines and 600
/// pools, 100,000 machines and 5,000 pools; 4 sites, 8 hardware types), freshly ingested: the DNS
/// provider's pure plan after the physical installs (70% of the machines), which generates,
/// validates, diffs and hashes the 8 zones those installs change. Nothing is served yet.
/// Run: <c>dotnet run -c Release --project tests/Fleet.Benchmarks -- --filter '*DnsPlanningBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class DnsPlanningBenchmarks
{
    private readonly DnsProvider provider = new(null!);
    private ProviderPlanRequest request = null!;

    [Params(12_000, 100_000)]
    public int Machines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var directory = Directory.CreateTempSubdirectory("fleet-bench-dns-plan-").FullName;
        try
        {
            var (pools, roles) = Machines >= 100_000 ? (5_000, 100) : (Machines / 20, 60);
            FleetGenerator.Write(directory, new FleetShape(pools, roles, Machines, Sites: 4, Hardware: 8, Seed: 1));
            var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(directory));
            var recon = Path.Combine(directory, "recon", "machines.ndjson");
            var (records, diagnostics) = ReconReader.Read([new ReconInput(recon, File.ReadAllBytes(recon))], ReconCatalog.From(desired.Fleet));
            if (!diagnostics.IsEmpty)
            {
                throw new InvalidOperationException(diagnostics[0].Message);
            }

            var machines = records.Select(Ingested).ToImmutableArray();
            var physical = PhysicalPlanner.Plan(desired, new PhysicalSnapshot(machines, []), PlanOptions.Default);
            var snapshot = new DnsSnapshot(
                ZoneTemplates.BuiltIn, true, ImmutableDictionary<string, ServedZone>.Empty, ImmutableDictionary<string, ZoneState>.Empty);
            var prior = physical.Changes.Select(c => c.Change).ToImmutableArray();
            request = new ProviderPlanRequest(desired, snapshot, PlanOptions.Default, prior, new ActionCatalog([.. PhysicalActions.All, .. DnsActions.All]))
            {
                Machines = PhysicalProjection.After(machines, prior),
            };
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Benchmark]
    public ProviderPlan DnsProvider_Plan() => provider.Plan(request);

    /// <summary>A machine as <c>inventory ingest</c> records it: available, version 1.</summary>
    private static Machine Ingested(ReconRecord record) => new(
        record.HardwareName, record.HardwareType, record.Site, record.Rack, record.Bmc, record.Interfaces,
        MachineState.Available, null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);
}
