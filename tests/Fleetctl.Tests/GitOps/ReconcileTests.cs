using System.Diagnostics;
using System.Text.Json;
using Fleet.Engine.Inventory;
using Fleet.State;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.GitOps;

/// <summary>
/// fleetctl reconcile against a local bare remote: the quickstart is pushed to the remote, the fleet
/// directory is a clone whose local commits reconcile must ignore (it plans the fetched branch head).
/// </summary>
public sealed class ReconcileTests : IDisposable
{
    private readonly QuickstartRepository _quickstart = new();
    private readonly string _bare;

    public ReconcileTests()
    {
        _bare = Path.Combine(_quickstart.Git.Root, "..", Path.GetFileName(_quickstart.Git.Root) + "-remote.git");
        _quickstart.Git.Git("init", "-q", "--bare", "-b", "main", _bare);
        _quickstart.Git.Git("remote", "add", "origin", _bare);
        _quickstart.Git.Git("push", "-q", "origin", "main");
    }

    public void Dispose()
    {
        _quickstart.Dispose();
        Directory.Delete(_bare, recursive: true);
    }

    private Task<CliRun> Run(params string[] args) => _quickstart.Run(args);

    private void Push(string message)
    {
        _quickstart.Git.Commit(message);
        _quickstart.Git.Git("push", "-q", "origin", "main");
    }

    private JsonElement Report() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(_quickstart.Fleet, ".fleet", "reconcile", "report.json"))).RootElement;

    private async Task<string> BreakAMachineAsync(string pool)
    {
        await using var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", _quickstart.Fleet, CancellationToken.None);
        var machine = (await database.Inventory.ListMachinesAsync(new MachineFilter(Pool: pool), CancellationToken.None)).First(m => m.State == MachineState.InUse);
        Assert.Equal(0, (await Run("inventory", "mark-broken", machine.HardwareName, "--reason", "disk failed")).ExitCode);
        return machine.HardwareName;
    }

    private async Task ApplyMainAsync()
    {
        Assert.Equal(0, (await Run("inventory", "ingest", "recon")).ExitCode);
        var applied = await Run("apply", "--ref", "main", "--auto-approve");
        Assert.Equal((0, string.Empty), (applied.ExitCode, applied.Err));
    }

    [Fact]
    public async Task Report_mode_reports_a_broken_machine_as_drift_and_changes_nothing()
    {
        await ApplyMainAsync();
        Assert.Equal(0, (await Run("reconcile", "--once")).ExitCode);
        Assert.Equal("in_sync", Report().GetProperty("status").GetString());

        var broken = await BreakAMachineAsync("web-lon");
        var pass = await Run("reconcile", "--once");

        Assert.Equal(2, pass.ExitCode);
        Assert.Contains("drift (1 install, 1 recycle, 2 zone_push)", pass.Out, StringComparison.Ordinal);
        Assert.Contains("zone/lon.example.net: zone_follows_inventory: 1 zone_push (records)", pass.Out, StringComparison.Ordinal);
        Assert.Contains("pool/web-lon: machine_broken: 1 install, 1 recycle (replace)", pass.Out, StringComparison.Ordinal);
        Assert.Contains("not applied: reconcile mode is report", pass.Out, StringComparison.Ordinal);
        var report = Report();
        Assert.Equal("drift", report.GetProperty("status").GetString());
        Assert.Equal(_quickstart.FastCommit, report.GetProperty("commit").GetString());
        Assert.Equal("machine_broken", report.GetProperty("items")[0].GetProperty("cause").GetString());
        await using var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", _quickstart.Fleet, CancellationToken.None);
        Assert.Equal(MachineState.Broken, (await database.Inventory.GetMachineAsync(broken, CancellationToken.None))?.State);
    }

    [Fact]
    public async Task Apply_mode_repairs_drift_and_applies_what_was_pushed_but_not_local_commits()
    {
        await ApplyMainAsync();
        File.AppendAllText(Path.Combine(_quickstart.Fleet, "fleet.yaml"), "reconcile: { mode: apply }\n");
        Push("reconcile in apply mode");
        _quickstart.ResizeFancydbLon(4, 5);
        Push("grow fancydb-lon to 5");
        _quickstart.ResizeFancydbLon(5, 6);
        _quickstart.Git.Commit("local only: grow fancydb-lon to 6");
        await BreakAMachineAsync("web-sto");

        var pass = await Run("reconcile", "--once");

        Assert.Equal((0, string.Empty), (pass.ExitCode, pass.Err));
        var report = Report();
        Assert.Equal("repaired", report.GetProperty("status").GetString());
        var items = report.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("address").GetString(), i.GetProperty("cause").GetString())).ToList();
        Assert.Contains(("pool/fancydb-lon", "changed_in_git"), items);
        Assert.Contains(("pool/web-sto", "machine_broken"), items);
        Assert.Equal(0, (await Run("plan", "--ref", "origin/main", "--detailed-exitcode")).ExitCode);
        Assert.Equal(2, (await Run("plan", "--ref", "main", "--detailed-exitcode")).ExitCode); // the local commit was not applied

        Assert.Equal(0, (await Run("reconcile", "--once")).ExitCode);
        Assert.Equal("in_sync", Report().GetProperty("status").GetString());
    }

    [Fact]
    public async Task Apply_mode_honours_freeze_windows_and_report_only_pools()
    {
        await ApplyMainAsync();
        File.AppendAllText(Path.Combine(_quickstart.Fleet, "fleet.yaml"), "reconcile:\n  mode: apply\n  freeze:\n    - { schedule: \"* * * * *\", duration: 2m }\n");
        Push("apply mode, always frozen");
        await BreakAMachineAsync("web-lon");

        var frozen = await Run("reconcile", "--once");
        Assert.Equal(2, frozen.ExitCode);
        Assert.Contains("not applied: in a freeze window ('* * * * *' for 2m) until", frozen.Out, StringComparison.Ordinal);

        _quickstart.Edit("fleet.yaml", "  freeze:\n    - { schedule: \"* * * * *\", duration: 2m }\n", string.Empty);
        _quickstart.Edit("pools/lon.yaml", "name: web-lon\n", "name: web-lon\nreconcile: report\n");
        Push("thaw; web-lon is repaired by hand only");
        await BreakAMachineAsync("cache-lon");

        var partial = await Run("reconcile", "--once");

        Assert.Equal(2, partial.ExitCode);
        Assert.Contains("pools marked 'reconcile: report' were left as they are: web-lon", partial.Out, StringComparison.Ordinal);
        var remaining = await Run("plan", "--ref", "origin/main");
        Assert.Contains("# pool/web-lon", remaining.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("# pool/cache-lon", remaining.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_is_posted_to_the_webhook_and_a_webhook_that_is_down_does_not_fail_the_pass()
    {
        await ApplyMainAsync();
        using var webhook = new LoopbackWebhook();
        var port = webhook.Port;
        File.AppendAllText(Path.Combine(_quickstart.Fleet, "fleet.yaml"), $"reconcile:\n  notify: {{ webhook: \"http://127.0.0.1:{port}/fleet\" }}\n");
        Push("notify on drift");
        await BreakAMachineAsync("web-lon");

        var down = await Run("reconcile", "--once");
        Assert.Equal(2, down.ExitCode);
        Assert.Contains($"warning: webhook http://127.0.0.1:{port}/fleet failed", down.Err, StringComparison.Ordinal);

        var received = webhook.ReceiveOneAsync(status: 200);

        var up = await Run("reconcile", "--once");

        Assert.Equal((2, string.Empty), (up.ExitCode, up.Err));
        using var posted = JsonDocument.Parse((await received).Body);
        Assert.Equal("drift", posted.RootElement.GetProperty("status").GetString());
        Assert.Equal("machine_broken", posted.RootElement.GetProperty("items")[0].GetProperty("cause").GetString());
    }

    [Fact]
    public async Task A_fetch_that_fails_is_a_failed_pass_with_exit_1()
    {
        await ApplyMainAsync();
        _quickstart.Git.Git("remote", "set-url", "origin", Path.Combine(_quickstart.Git.Root, "no-such-remote.git"));

        var pass = await Run("reconcile", "--once");

        Assert.Equal(1, pass.ExitCode);
        Assert.Contains("error: fetching main from origin", pass.Err, StringComparison.Ordinal);
        Assert.Equal("failed", Report().GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_loop_stops_cleanly_on_sigterm()
    {
        await ApplyMainAsync();
        var start = new ProcessStartInfo(BuiltFleetctl.Program, ["-C", _quickstart.Fleet, "reconcile", "--interval", "1h"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var report = Path.Combine(_quickstart.Fleet, ".fleet", "reconcile", "report.json");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(report) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(report), "the first pass wrote no report");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var output = await process.StandardOutput.ReadToEndAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.EndsWith("reconcile: stopped\n", output, StringComparison.Ordinal);
        Assert.Contains(": in sync (no changes)", output, StringComparison.Ordinal);
    }
}
