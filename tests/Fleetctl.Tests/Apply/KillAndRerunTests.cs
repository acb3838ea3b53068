using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Fleet.Engine.Inventory;
using Fleet.State.Tests;
using Xunit.Abstractions;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// Crash safety: a real fleetctl process is SIGKILLed at a random moment of an apply (pool sizes
/// change every trial, so there are installs and recycles in flight, and 5% of simulated installs
/// fail so retries and replacements are in flight too); applying again must converge to the desired
/// state with every machine accounted for: none lost, none left installing or recycling, no
/// hostname held twice. Runs on SQLite and PostgreSQL.
/// </summary>
public abstract class KillAndRerunTests(ITestOutputHelper log)
{
    /// <summary>Trials per backend; FLEET_KILL_TRIALS raises it for a longer soak.</summary>
    private static readonly int Trials = int.TryParse(Environment.GetEnvironmentVariable("FLEET_KILL_TRIALS"), CultureInfo.InvariantCulture, out var n) ? n : 20;

    /// <summary>Largest size per pool: capacity of its site and hardware, less room for replacements.</summary>
    private static readonly ImmutableDictionary<string, int> MaxSize = new Dictionary<string, int>
    {
        ["web-lon"] = 6, ["fancydb-lon"] = 5, ["cache-lon"] = 5, ["web-sto"] = 5, ["fancydb-sto"] = 4,
    }.ToImmutableDictionary();

    private static readonly string[] ApplyFlags = ["apply", "--auto-approve", "--force", "--max-attempts", "2", "--retry-delay", "20ms", "--parallelism", "3"];

    protected abstract Task<string?> CreateInventoryAsync();

    [Fact]
    public async Task Killing_apply_at_random_moments_and_applying_again_always_converges_with_every_machine_accounted_for()
    {
        using var fleet = TestFleet.Quickstart(installSeconds: 0.15, failureRate: 0.05, inventory: await CreateInventoryAsync());
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        var serials = (await fleet.MachinesAsync()).Select(m => m.HardwareName).ToImmutableSortedSet(StringComparer.Ordinal);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FLEET_KILL_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261126;
        var random = new Random(seed);
        var killedMidway = 0;
        var leftInFlight = 0;

        for (var trial = 1; trial <= Trials; trial++)
        {
            foreach (var (pool, max) in MaxSize)
            {
                fleet.Resize(pool, random.Next(1, max + 1));
            }

            // Mostly mid-execution (after the n-th change started), sometimes during start-up or planning.
            var changes = random.Next(0, 6);
            var extra = TimeSpan.FromMilliseconds(changes == 0 ? random.Next(0, 1500) : random.Next(0, 150));
            var killed = await RunAndKillAsync(fleet, changes, extra);
            killedMidway += killed ? 1 : 0;
            var inFlight = (await fleet.MachinesAsync()).Count(m => m.State is MachineState.Installing or MachineState.Recycling);
            leftInFlight += inFlight > 0 ? 1 : 0;
            var rounds = await ConvergeAsync(fleet, trial);
            log.WriteLine($"trial {trial}: killed {extra.TotalMilliseconds} ms after change {changes} started ({(killed ? "mid-apply" : "had finished")}, {inFlight} machines left in flight), converged in {rounds} applies");
            await AssertAccountedForAsync(fleet, serials, trial);
        }

        Assert.True(killedMidway >= Trials / 2, $"only {killedMidway} of {Trials} trials killed an apply before it finished (seed {seed})");
        Assert.True(leftInFlight >= Trials / 4, $"only {leftInFlight} of {Trials} kills left machines installing or recycling (seed {seed}): the kills came too early or too late to test recovery");
        var broken = (await fleet.MachinesAsync()).Count(m => m.State == MachineState.Broken);
        log.WriteLine($"{killedMidway} kills mid-apply, {leftInFlight} left machines in flight; {broken} machines broken at the end");
    }

    /// <summary>
    /// Starts fleetctl apply as a process and SIGKILLs it once it has started <paramref name="changes"/>
    /// changes and the inventory shows a machine in flight, plus <paramref name="extra"/> (with 0
    /// changes: <paramref name="extra"/> after start, during start-up or planning). Waiting for the
    /// inventory rather than the clock keeps the kills mid-work however loaded the machine is. True
    /// if it was still running when killed.
    /// </summary>
    private static async Task<bool> RunAndKillAsync(TestFleet fleet, int changes, TimeSpan extra)
    {
        using var process = fleet.Start(ApplyFlags);
        var errors = process.StandardError.ReadToEndAsync();
        var started = 0;
        while (started < changes && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            started += line.Contains(" started", StringComparison.Ordinal) ? 1 : 0;
        }

        var drain = process.StandardOutput.ReadToEndAsync();
        if (changes > 0)
        {
            await WaitForWorkInFlightAsync(fleet, process);
        }

        using var timeout = new CancellationTokenSource(extra);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(drain, errors);
            return false;
        }
        catch (OperationCanceledException)
        {
            process.Kill(); // SIGKILL: no cleanup runs in the victim
            await process.WaitForExitAsync();
            await Task.WhenAll(drain, errors);
            return true;
        }
    }

    private static async Task WaitForWorkInFlightAsync(TestFleet fleet, Process process)
    {
        await using var database = await fleet.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            var machines = await database.Inventory.ListMachinesAsync(null, CancellationToken.None);
            if (machines.Any(m => m.State is MachineState.Installing or MachineState.Recycling))
            {
                return;
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Applies until a plan shows no changes; a fleet that does not settle within five applies fails the test.</summary>
    private static async Task<int> ConvergeAsync(TestFleet fleet, int trial)
    {
        var outputs = new List<string>();
        for (var round = 1; round <= 5; round++)
        {
            var apply = await fleet.RunAsync(ApplyFlags);
            outputs.Add($"apply exit {apply.Exit}\n{apply.Err}{Tail(apply.Out)}");
            var plan = await fleet.RunAsync("plan", "--detailed-exitcode", "--force");
            if (plan.Exit == 0)
            {
                return round;
            }

            outputs.Add($"plan exit {plan.Exit}\n{plan.Err}{Tail(plan.Out)}");
        }

        Assert.Fail($"trial {trial}: the fleet did not converge in 5 applies:\n{string.Join("\n", outputs)}");
        return 0;
    }

    private static async Task AssertAccountedForAsync(TestFleet fleet, ImmutableSortedSet<string> serials, int trial)
    {
        var machines = await fleet.MachinesAsync();
        Assert.Equal(serials, machines.Select(m => m.HardwareName).ToImmutableSortedSet(StringComparer.Ordinal));
        Assert.DoesNotContain(machines, m => m.State is MachineState.Installing or MachineState.Recycling);
        foreach (var (pool, size) in fleet.PoolSizes())
        {
            Assert.True(size == machines.Count(m => m.Pool == pool && m.State == MachineState.InUse), $"trial {trial}: pool {pool} should have {size} machines in use");
        }

        var hostnames = machines.Where(m => m.Hostname is not null).Select(m => m.Hostname).ToList();
        Assert.Equal(hostnames.Count, hostnames.Distinct().Count());
        Assert.All(machines.Where(m => m.State == MachineState.Available), m => Assert.Null(m.Pool));
    }

    private static string Tail(string text) => string.Join("\n", text.Split('\n').TakeLast(8));
}

public sealed class SqliteKillAndRerunTests(ITestOutputHelper log) : KillAndRerunTests(log)
{
    protected override Task<string?> CreateInventoryAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresKillAndRerunTests(PostgresProvider provider, ITestOutputHelper log) : KillAndRerunTests(log), IClassFixture<PostgresProvider>
{
    protected override async Task<string?> CreateInventoryAsync() => await provider.CreateAsync();
}
