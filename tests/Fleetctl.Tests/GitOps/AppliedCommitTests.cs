using Fleet.Engine.GitOps;
using Fleet.State;

namespace Fleetctl.Tests.GitOps;

/// <summary>apply --ref against the applied-commit ledger: roll-forward, out-of-order refusal, --allow-rollback, requireCommit.</summary>
public sealed class AppliedCommitTests : IDisposable
{
    private readonly QuickstartRepository _quickstart = new();

    public void Dispose() => _quickstart.Dispose();

    private Task<CliRun> Run(params string[] args) => _quickstart.Run(args);

    private async Task<int> InUseAsync(string pool)
    {
        await using var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", _quickstart.Fleet, CancellationToken.None);
        var machines = await database.Inventory.ListMachinesAsync(new Fleet.Engine.Inventory.MachineFilter(Pool: pool), CancellationToken.None);
        return machines.Count(m => m.State == Fleet.Engine.Inventory.MachineState.InUse);
    }

    private async Task<AppliedCommit?> LastAppliedAsync()
    {
        await using var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", _quickstart.Fleet, CancellationToken.None);
        return await database.Ledger.GetLastCommitAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Applies_commits_in_order_and_refuses_an_older_one_unless_rollback_is_allowed()
    {
        Assert.Equal(0, (await Run("inventory", "ingest", "recon")).ExitCode);
        var first = await Run("apply", "--ref", "main", "--auto-approve");
        Assert.Equal((0, string.Empty), (first.ExitCode, first.Err));
        Assert.Equal(_quickstart.FastCommit, (await LastAppliedAsync())?.Commit);
        Assert.Equal(4, await InUseAsync("fancydb-lon"));

        _quickstart.ResizeFancydbLon(4, 6);
        var grown = _quickstart.Git.Commit("grow fancydb-lon to 6");
        Assert.Equal(0, (await Run("apply", "--ref", "main", "--auto-approve")).ExitCode);
        Assert.Equal(6, await InUseAsync("fancydb-lon"));
        Assert.Equal(grown, (await LastAppliedAsync())?.Commit);
        using (var history = System.Text.Json.JsonDocument.Parse((await Run("history", "--format", "json")).Out))
        {
            Assert.Equal([grown, _quickstart.FastCommit], history.RootElement.EnumerateArray().Select(h => h.GetProperty("commit").GetString()!).ToArray());
        }

        // A stale pipeline applying the previous commit would shrink the pool back: refused, nothing changes.
        var stale = await Run("apply", "--ref", _quickstart.FastCommit, "--auto-approve", "--force");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains($"commit {_quickstart.FastCommit[..12]} does not descend from the last applied commit {grown[..12]}", stale.Err, StringComparison.Ordinal);
        Assert.Contains("--allow-rollback", stale.Err, StringComparison.Ordinal);
        Assert.Equal(6, await InUseAsync("fancydb-lon"));
        Assert.Equal(grown, (await LastAppliedAsync())?.Commit);

        var rollback = await Run("apply", "--ref", _quickstart.FastCommit, "--auto-approve", "--force", "--allow-rollback");
        Assert.Equal(0, rollback.ExitCode);
        Assert.Contains("rolling back as --allow-rollback asks", rollback.Out, StringComparison.Ordinal);
        Assert.Equal(_quickstart.FastCommit, (await LastAppliedAsync())?.Commit);
    }

    [Fact]
    public async Task A_force_push_that_rewrites_history_is_refused()
    {
        Assert.Equal(0, (await Run("inventory", "ingest", "recon")).ExitCode);
        _quickstart.ResizeFancydbLon(4, 5);
        _quickstart.Git.Commit("grow fancydb-lon to 5");
        Assert.Equal(0, (await Run("apply", "--ref", "main", "--auto-approve")).ExitCode);

        _quickstart.Git.Git("reset", "-q", "--hard", "HEAD~1");
        _quickstart.ResizeFancydbLon(4, 3);
        _quickstart.Git.Commit("rewritten: shrink fancydb-lon to 3");

        var refused = await Run("apply", "--ref", "main", "--auto-approve", "--force");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("does not descend from the last applied commit", refused.Err, StringComparison.Ordinal);
        Assert.Equal(5, await InUseAsync("fancydb-lon"));
    }

    [Fact]
    public async Task A_fleet_that_requires_commits_refuses_a_working_tree_apply_and_a_saved_plan_keeps_its_commit()
    {
        Assert.Equal(0, (await Run("inventory", "ingest", "recon")).ExitCode);
        File.AppendAllText(Path.Combine(_quickstart.Fleet, "fleet.yaml"), "gitops: { requireCommit: true }\n");
        var commit = _quickstart.Git.Commit("production fleet: commits only");

        var worktree = await Run("apply", "--auto-approve");
        Assert.Equal(1, worktree.ExitCode);
        Assert.Contains("requires applying a commit (gitops.requireCommit)", worktree.Err, StringComparison.Ordinal);
        Assert.Equal(0, await InUseAsync("web-lon"));

        Assert.Equal(0, (await Run("plan", "--ref", "main", "--out", "reviewed.plan")).ExitCode);
        File.AppendAllText(Path.Combine(_quickstart.Fleet, "pools", "lon.yaml"), "not: [yaml\n"); // later uncommitted edits do not matter
        var applied = await Run("apply", "reviewed.plan");

        Assert.Equal((0, string.Empty), (applied.ExitCode, applied.Err));
        Assert.Equal(commit, (await LastAppliedAsync())?.Commit);
        Assert.Equal(1, (await Run("apply", "reviewed.plan", "--ref", "main")).ExitCode);
    }
}
