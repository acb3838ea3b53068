using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Loading;
using Fleet.Providers.Physical.Power;
using Fleet.State.Tests;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// <c>fleetctl apply --workers external</c> with two real <c>fleetctl worker</c> processes on the
/// simulated datacenter: the apply only enqueues and waits, the workers run every job, and one
/// machine near the front of the plan never installs, so a worker breaks it and claims a
/// replacement while most planned installs are not yet enqueued. The replacement must be a spare,
/// never a machine the plan installs later. Runs on SQLite and PostgreSQL.
/// </summary>
public abstract class ExternalWorkersTests
{
    private const double FailureRate = 0.05;

    protected abstract Task<string?> CreateInventoryAsync();

    [Fact]
    public async Task Workers_run_every_job_of_an_external_apply_and_replace_a_machine_that_never_installs_with_a_spare()
    {
        using var fleet = TestFleet.Quickstart(installSeconds: 0.1, failureRate: FailureRate, inventory: await CreateInventoryAsync());
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        var (seed, failing) = await PickSeedAsync(fleet);
        fleet.SetEnvironment("FLEET_SIMULATED_SEED", seed.ToString(CultureInfo.InvariantCulture));
        string[] workerFlags = ["worker", "--concurrency", "3", "--max-attempts", "2", "--retry-delay", "20ms"];

        var workers = new[] { Started.Of(fleet.Start(workerFlags)), Started.Of(fleet.Start(workerFlags)) };
        var apply = Started.Of(fleet.Start("apply", "--auto-approve", "--workers", "external", "--parallelism", "2"));
        int exit;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await apply.Process.WaitForExitAsync(timeout.Token);
            exit = apply.Process.ExitCode;
        }
        finally
        {
            foreach (var process in workers.Append(apply))
            {
                process.Stop();
            }
        }

        var log = $"seed {seed}, {failing} never installs\napply:\n{await apply.OutputAsync()}\n" +
            string.Join("\n", await Task.WhenAll(workers.Select(async (w, i) => $"worker {i + 1}:\n{await w.OutputAsync()}")));
        Assert.True(exit == 0, $"apply exited {exit}\n{log}");

        var machines = (await fleet.MachinesAsync()).ToDictionary(m => m.HardwareName, StringComparer.Ordinal);
        foreach (var (pool, size) in fleet.PoolSizes())
        {
            Assert.True(size == machines.Values.Count(m => m.Pool == pool && m.State == MachineState.InUse), $"pool {pool} should have {size} machines in use\n{log}");
        }

        Assert.Equal([failing], machines.Values.Where(m => m.State == MachineState.Broken).Select(m => m.HardwareName));
        Assert.DoesNotContain(machines.Values, m => m.State is MachineState.Installing or MachineState.Recycling);

        await using var database = await fleet.OpenAsync();
        foreach (var serial in machines.Keys)
        {
            var claims = (await database.Inventory.ListAuditAsync(serial, CancellationToken.None)).Count(a => a.To == MachineState.Installing);
            Assert.True(claims <= 1, $"{serial} was claimed for installing {claims} times\n{log}");
        }

        var jobs = await database.Jobs.ListAsync(new JobQuery(Limit: 1000), CancellationToken.None);
        var names = workers.Select(w => string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{w.Process.Id}")).ToImmutableHashSet();
        Assert.All(jobs, j => Assert.True(j.Worker is not null && names.Contains(j.Worker), $"job {j.Id} was run by {j.Worker}, not by a worker process"));
        var installs = jobs.Where(j => j.Action == "install" && j.Status == JobStatus.Finished).Select(j => j.Target).ToList();
        Assert.Equal(fleet.PoolSizes().Values.Sum(), installs.Count);
        Assert.Equal(installs.Count, installs.Distinct().Count());

        var gaveUp = Assert.Single(jobs, j => j.Status == JobStatus.Failed);
        Assert.Equal((failing, 2), (gaveUp.Target, gaveUp.Attempts));
        var replacement = Assert.Single(jobs, j => j.Id == gaveUp.ReplacedBy);
        Assert.Equal(JobStatus.Finished, replacement.Status);
        Assert.Equal(machines[failing].Pool, machines[replacement.Target].Pool);
        var output = await apply.OutputAsync();
        Assert.Contains($"{failing} is broken after 2 failed attempts", output, StringComparison.Ordinal);
        Assert.Contains("are queued for worker processes; this apply waits for them. Start one with: fleetctl worker -C ", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A simulated-failure seed under which exactly one machine fails, on its first and second boot
    /// (so whichever worker retries it, it never installs), and that machine is among the first
    /// installs of the plan; every other machine installs at its first boot.
    /// </summary>
    private static async Task<(int Seed, string Failing)> PickSeedAsync(TestFleet fleet)
    {
        var plan = await fleet.RunAsync("plan", "--format", "json");
        Assert.Equal(0, plan.Exit);
        var early = JsonNode.Parse(plan.Out)!["changes"]!.AsArray()
            .Where(c => c!["action"]!.GetValue<string>() == "install")
            .Select(c => c!["machine"]!.GetValue<string>())
            .Take(4)
            .ToImmutableHashSet(StringComparer.Ordinal);
        var fleetSpec = Fleetctl.FleetRuntime.Standard.Loader.LoadOrThrow(new DirectorySource(fleet.Directory)).Fleet;
        var machines = await fleet.MachinesAsync();
        for (var seed = 1; seed < 100_000; seed++)
        {
            var drivers = PowerDrivers.FromFleet(fleetSpec, new RealHardware(fleet.Directory, _ => null, null!), TimeProvider.System, seed) /* simulated sites only: no boot tasks */;
            bool Fails(Machine m, int boot) => ((SimulatedDatacenter)drivers.ForSite(m.Site).Power).FailsOnBoot(m.HardwareName, boot);
            var failing = machines.Where(m => Fails(m, 1)).ToList();
            if (failing is [var only] && early.Contains(only.HardwareName) && Fails(only, 2))
            {
                return (seed, only.HardwareName);
            }
        }

        throw new InvalidOperationException("no seed fails exactly one early machine");
    }

    /// <summary>A started fleetctl process whose output is drained as it comes (so it never blocks on a full pipe).</summary>
    private sealed record Started(Process Process, Task<string> Out, Task<string> Err)
    {
        public static Started Of(Process process) => new(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());

        public void Stop()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }
        }

        public async Task<string> OutputAsync()
        {
            await Process.WaitForExitAsync();
            return await Out + await Err;
        }
    }
}

public sealed class SqliteExternalWorkersTests : ExternalWorkersTests
{
    protected override Task<string?> CreateInventoryAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresExternalWorkersTests(PostgresProvider provider) : ExternalWorkersTests, IClassFixture<PostgresProvider>
{
    protected override async Task<string?> CreateInventoryAsync() => await provider.CreateAsync();
}
