using System.Text.Json.Nodes;
using Fleet.Engine.Execution;
using Fleet.Engine.Inventory;
using Fleet.Engine.Locking;

namespace Fleetctl.Tests.Apply;

/// <summary><c>fleetctl apply</c>, <c>history</c> and <c>jobs</c> end to end, in-process, on the quickstart fleet with the embedded inventory.</summary>
public sealed class ApplyCommandTests : IDisposable
{
    private readonly TestFleet fleet = TestFleet.Quickstart();

    public void Dispose() => fleet.Dispose();

    [Fact]
    public async Task The_quickstart_applies_end_to_end_and_a_second_plan_reports_no_changes()
    {
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);

        var apply = await fleet.RunAsync("apply", "--auto-approve");

        Assert.Equal(0, apply.Exit);
        Assert.Equal(string.Empty, apply.Err);
        Assert.Contains("Plan: 21 to install, 0 to recycle, 0 to resize, 0 zones to push, 4 zones to create.", apply.Out, StringComparison.Ordinal);
        Assert.EndsWith("Apply complete: 25 succeeded, 0 failed, 0 skipped.\n", apply.Out, StringComparison.Ordinal);
        await AssertPoolsFilledAsync();
        var zone = await File.ReadAllTextAsync(Path.Combine(fleet.Directory, ".fleet", "zones", "lon.example.net.zone"));
        foreach (var machine in (await fleet.MachinesAsync()).Where(m => m is { Site: "lon", Hostname: not null }))
        {
            Assert.Contains($"{machine.Hostname}\t300\tIN\tA\t{machine.PrimaryIp}\n", zone, StringComparison.Ordinal);
        }

        var plan = await fleet.RunAsync("plan", "--detailed-exitcode");
        Assert.Equal(0, plan.Exit);
        Assert.Contains("No changes. The fleet matches the desired state.", plan.Out, StringComparison.Ordinal);

        var again = await fleet.RunAsync("apply", "--auto-approve");
        Assert.Equal((0, "No changes. The fleet matches the desired state.\n"), (again.Exit, again.Out));

        var history = JsonNode.Parse((await fleet.RunAsync("history", "--format", "json")).Out)!.AsArray();
        Assert.Equal([ApplyResults.Succeeded, ApplyResults.Succeeded], history.Select(h => h!["result"]!.GetValue<string>()));
        Assert.Equal(25, history[1]!["counts"]!["succeeded"]!.GetValue<int>());
        Assert.StartsWith("sha256:", history[1]!["planChecksum"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(
            ["id", "user", "host", "commit", "planChecksum", "startedAt", "endedAt", "result", "counts"],
            history[1]!.AsObject().Select(f => f.Key));
        Assert.Equal(Environment.MachineName, history[1]!["host"]!.GetValue<string>());
        Assert.True(
            DateTimeOffset.Parse(history[1]!["endedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            >= DateTimeOffset.Parse(history[1]!["startedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var table = (await fleet.RunAsync("history")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ID  RESULT  USER  HOST  COMMIT  STARTED  DURATION  COUNTS", string.Join("  ", table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains(table, l => l.StartsWith(history[1]!["id"]!.GetValue<string>(), StringComparison.Ordinal) && l.EndsWith("succeeded=25", StringComparison.Ordinal));
        await using var database = await fleet.OpenAsync();
        Assert.True((await database.Inventory.GetPoolAsync("fancydb-lon", CancellationToken.None))!.Protected);
    }

    [Fact]
    public async Task Without_a_terminal_apply_needs_auto_approve_and_changes_nothing()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var refused = await fleet.RunAsync("apply");

        Assert.Equal(1, refused.Exit);
        Assert.Equal("error: fleetctl apply is not running on a terminal, so it cannot ask for approval: pass --auto-approve, or apply a reviewed plan file\n", refused.Err);
        Assert.All(await fleet.MachinesAsync(), m => Assert.Equal(MachineState.Available, m.State));
    }

    [Fact]
    public async Task On_a_terminal_apply_with_json_output_needs_auto_approve_because_no_plan_is_shown()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var refused = await fleet.RunAsync(["apply", "--format", "json"], input: "y\n");

        Assert.Equal(1, refused.Exit);
        Assert.Equal(string.Empty, refused.Out);
        Assert.Equal("error: apply --format json does not show the plan for approval: pass --auto-approve, or apply a reviewed plan file\n", refused.Err);
        Assert.All(await fleet.MachinesAsync(), m => Assert.Equal(MachineState.Available, m.State));
    }

    [Fact]
    public async Task On_a_terminal_apply_shows_the_plan_and_applies_only_when_the_answer_is_yes()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var declined = await fleet.RunAsync(["apply"], input: "n\n");
        Assert.Equal(1, declined.Exit);
        Assert.Contains("Plan: 21 to install", declined.Out, StringComparison.Ordinal);
        Assert.Contains("Apply these changes? [y/N] Apply cancelled: nothing was changed.", declined.Out, StringComparison.Ordinal);
        Assert.All(await fleet.MachinesAsync(), m => Assert.Equal(MachineState.Available, m.State));

        var approved = await fleet.RunAsync(["apply"], input: "y\n");
        Assert.Equal(0, approved.Exit);
        await AssertPoolsFilledAsync();
        var history = JsonNode.Parse((await fleet.RunAsync("history", "--format", "json")).Out)!.AsArray();
        Assert.Equal([ApplyResults.Succeeded, ApplyResults.Declined], history.Select(h => h!["result"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_saved_plan_is_applied_exactly_and_only_with_the_reviewed_checksum()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");
        await fleet.RunAsync("plan", "--out", "plan.json");
        var checksum = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fleet.Directory, "plan.json")))!["checksum"]!.GetValue<string>();

        var mismatch = await fleet.RunAsync("apply", "plan.json", "--checksum", "sha256:0000");
        Assert.Equal(1, mismatch.Exit);
        Assert.Equal($"error: the plan's checksum is {checksum}, not sha256:0000 as --checksum requires; nothing was applied\n", mismatch.Err);
        Assert.All(await fleet.MachinesAsync(), m => Assert.Equal(MachineState.Available, m.State));

        var applied = await fleet.RunAsync("apply", "plan.json", "--checksum", checksum);
        Assert.Equal((0, string.Empty), (applied.Exit, applied.Err));
        Assert.DoesNotContain("Plan:", applied.Out, StringComparison.Ordinal);
        await AssertPoolsFilledAsync();
    }

    [Fact]
    public async Task A_saved_plan_is_refused_when_a_machine_it_touches_changed_since()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");
        await fleet.RunAsync("plan", "--out", "plan.json");
        var change = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fleet.Directory, "plan.json")))!["changes"]![0]!;
        var machine = change["machine"]!.GetValue<string>();
        Assert.Equal(0, (await fleet.RunAsync("inventory", "mark-broken", machine, "--reason", "fan failed")).Exit);

        var stale = await fleet.RunAsync("apply", "plan.json");

        Assert.Equal(1, stale.Exit);
        Assert.Contains($"error: the saved plan is stale: machine/{machine} changed since the plan was made", stale.Err, StringComparison.Ordinal);
        Assert.Contains("run fleetctl plan again", stale.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(await fleet.MachinesAsync(), m => m.State is MachineState.Installing or MachineState.InUse);
    }

    [Fact]
    public async Task A_second_apply_fails_fast_naming_the_holder_or_waits_for_it_with_a_lock_timeout()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");
        await using var database = await fleet.OpenAsync();
        var holder = new LockHolder("carol", "ci-runner-7", 31337, "feedfacefeedfacefeedfacefeedfacefeedface", DateTimeOffset.UtcNow);
        var held = await database.ApplyLock.AcquireAsync(holder, TimeSpan.Zero, CancellationToken.None);

        var refused = await fleet.RunAsync("apply", "--auto-approve");
        Assert.Equal(1, refused.Exit);
        Assert.Equal(
            $"error: another apply holds the fleet's apply lock: carol on ci-runner-7 (pid 31337), applying commit feedfacefeed, since {holder.Since:yyyy-MM-dd HH:mm:ss}Z; try again when it has finished, or wait with --lock-timeout\n",
            refused.Err);
        Assert.All(await fleet.MachinesAsync(), m => Assert.Equal(MachineState.Available, m.State));

        var waiting = fleet.RunAsync("apply", "--auto-approve", "--lock-timeout", "30s");
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        var waited = await waiting;
        Assert.Equal(0, waited.Exit);
        Assert.StartsWith(
            "Waiting up to 30s for the fleet's apply lock, which another apply holds: carol on ci-runner-7 (pid 31337), applying commit feedfacefeed, since ",
            waited.Out,
            StringComparison.Ordinal);
        await AssertPoolsFilledAsync();
    }

    [Fact]
    public async Task Zones_are_pushed_as_the_inventory_is_at_apply_time_and_the_apply_says_when_that_differs_from_the_plan()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");
        Assert.Equal(0, (await fleet.RunAsync("apply", "--auto-approve")).Exit);
        fleet.Resize("fancydb-lon", 5);
        Assert.Equal(0, (await fleet.RunAsync("plan", "--out", "grow.plan")).Exit);

        // After the review, an unrelated machine of the same site breaks: the plan is not stale (it
        // does not touch that machine), but the lon zone must no longer list it as a cache-lon address.
        var broken = (await fleet.MachinesAsync()).First(m => m is { Pool: "cache-lon", State: MachineState.InUse });
        Assert.Equal(0, (await fleet.RunAsync("inventory", "mark-broken", broken.HardwareName, "--reason", "psu")).Exit);
        var apply = await fleet.RunAsync("apply", "grow.plan");

        Assert.Equal(0, apply.Exit);
        Assert.Contains("note: zone lon.example.net pushed with serial", apply.Err, StringComparison.Ordinal);
        Assert.Contains("rendered from the inventory as it is now, which differs from the plan", apply.Err, StringComparison.Ordinal);
        var zone = await File.ReadAllTextAsync(Path.Combine(fleet.Directory, ".fleet", "zones", "lon.example.net.zone"));
        Assert.DoesNotContain($"cache-lon\t300\tIN\tA\t{broken.PrimaryIp}\n", zone, StringComparison.Ordinal);
        var grown = (await fleet.MachinesAsync()).Where(m => m is { Pool: "fancydb-lon", State: MachineState.InUse }).ToList();
        Assert.Equal(5, grown.Count);
        Assert.All(grown, m => Assert.Contains($"{m.Hostname}\t300\tIN\tA\t{m.PrimaryIp}\n", zone, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_applies_started_together_never_both_run()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var results = await Task.WhenAll(fleet.RunAsync("apply", "--auto-approve"), fleet.RunAsync("apply", "--auto-approve"));

        var ran = results.Where(r => r.Out.Contains("Apply complete: 25 succeeded", StringComparison.Ordinal)).ToList();
        Assert.Single(ran);
        var other = results.Single(r => !ran.Contains(r));
        Assert.True(
            other is { Exit: 1 } && other.Err.Contains("another apply holds the fleet's apply lock", StringComparison.Ordinal)
            || other is { Exit: 0 } && other.Out.Contains("No changes", StringComparison.Ordinal),
            $"the second apply neither waited its turn nor named the holder: {other}");
        await AssertPoolsFilledAsync();
        foreach (var machine in (await fleet.MachinesAsync()).Where(m => m.Pool is not null))
        {
            await using var database = await fleet.OpenAsync();
            var installs = (await database.Inventory.ListAuditAsync(machine.HardwareName, CancellationToken.None)).Count(a => a.To == MachineState.Installing);
            Assert.Equal(1, installs);
        }
    }

    [Fact]
    public async Task Jobs_record_every_change_with_who_asked_and_the_plan_they_belong_to()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");
        await fleet.RunAsync("apply", "--auto-approve");

        var jobs = JsonNode.Parse((await fleet.RunAsync("jobs", "list", "--format", "json")).Out)!.AsArray();
        var first = jobs.First(j => j!["action"]!.GetValue<string>() == "install")!;
        var shown = JsonNode.Parse((await fleet.RunAsync("jobs", "show", first["id"]!.ToString(), "--format", "json")).Out)!;

        Assert.Equal(21, jobs.Count(j => j!["action"]!.GetValue<string>() == "install"));
        Assert.Equal(4, jobs.Count(j => j!["action"]!.GetValue<string>() == "zone_create"));
        Assert.All(jobs, j => Assert.Equal("finished", j!["status"]!.GetValue<string>()));
        foreach (var field in new[] { "id", "action", "target", "params", "status", "attempts", "nextAttemptAt", "leaseUntil", "worker", "requester", "commit", "planChecksum", "createdAt", "startedAt", "endedAt", "error" })
        {
            Assert.True(shown.AsObject().ContainsKey(field), $"jobs show --format json lacks {field}");
        }

        Assert.Equal(("install", 1), (shown["action"]!.GetValue<string>(), shown["attempts"]!.GetValue<int>()));
        Assert.StartsWith("sha256:", shown["planChecksum"]!.GetValue<string>(), StringComparison.Ordinal);
        var retry = await fleet.RunAsync("jobs", "retry", first["id"]!.ToString());
        Assert.Equal((1, $"error: job {first["id"]} is finished; only failed jobs can be retried\n"), (retry.Exit, retry.Err));
    }

    [Theory]
    [InlineData("--total-parallelism", false)]
    [InlineData("--parallelism", true)]
    public async Task Parallelism_bounds_the_jobs_running_at_once_in_all_or_per_site(string option, bool perSite)
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var apply = await fleet.RunAsync("apply", "--auto-approve", option, "1");

        Assert.Equal(0, apply.Exit);
        var jobs = JsonNode.Parse((await fleet.RunAsync("jobs", "list", "--format", "json")).Out)!.AsArray()
            .Select(j => (Site: perSite ? j!["site"]?.GetValue<string>() ?? "-" : "all", Started: Time(j!["startedAt"]), Ended: Time(j!["endedAt"])))
            .ToList();
        Assert.Equal(25, jobs.Count);
        foreach (var group in jobs.GroupBy(j => j.Site))
        {
            var ordered = group.OrderBy(j => j.Started).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Started >= ordered[i - 1].Ended, $"{option} 1: in {group.Key}, a job started at {ordered[i].Started:O} before the one before it ended at {ordered[i - 1].Ended:O}");
            }
        }

        if (perSite)
        {
            Assert.True(jobs.Select(j => j.Site).Distinct().Count() > 1, "the quickstart has changes in more than one site");
        }

        static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse(node!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task With_json_progress_every_line_is_an_event_and_the_last_the_summary()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var apply = await fleet.RunAsync("apply", "--auto-approve", "--format", "json");

        var events = apply.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(25, events.Count(e => e["event"]!.GetValue<string>() == "started"));
        Assert.Equal(25, events.Count(e => e["event"]!.GetValue<string>() == "succeeded"));
        Assert.Equal(("summary", "succeeded", 25), (events[^1]["event"]!.GetValue<string>(), events[^1]["result"]!.GetValue<string>(), events[^1]["succeeded"]!.GetValue<int>()));
        var started = events.Where(e => e["event"]!.GetValue<string>() == "started").Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal((21, 4), (started.Count(a => a == "install"), started.Count(a => a == "zone_create")));
    }

    private async Task AssertPoolsFilledAsync()
    {
        var machines = await fleet.MachinesAsync();
        foreach (var (pool, size) in fleet.PoolSizes())
        {
            Assert.Equal(size, machines.Count(m => m.Pool == pool && m.State == MachineState.InUse));
        }

        Assert.DoesNotContain(machines, m => m.State is MachineState.Installing or MachineState.Recycling);
    }
}
