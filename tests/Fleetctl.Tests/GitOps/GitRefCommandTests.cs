using System.Text.Json;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.GitOps;

/// <summary>validate, plan and codeowners on a real git repository holding the quickstart fleet in a subdirectory.</summary>
public sealed class GitRefCommandTests : IDisposable
{
    private readonly QuickstartRepository _quickstart = new();

    private GitRepository Repo => _quickstart.Git;

    private string FleetDirectory => _quickstart.Fleet;

    private string First => _quickstart.FastCommit;

    public void Dispose() => _quickstart.Dispose();

    private Task<CliRun> Run(params string[] args) => _quickstart.Run(args);

    [Fact]
    public async Task Plan_at_a_ref_ignores_uncommitted_edits_and_records_the_commit()
    {
        Assert.Equal(0, (await Run("inventory", "ingest", "recon")).ExitCode);
        File.AppendAllText(Path.Combine(FleetDirectory, "pools", "lon.yaml"), "this is: [not yaml\n");

        var worktree = await Run("plan");
        var atRef = await Run("plan", "--ref", "main", "--format", "json");

        Assert.Equal(1, worktree.ExitCode);
        Assert.Contains("pools/lon.yaml:", worktree.Err, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), (atRef.ExitCode, atRef.Err));
        using var plan = JsonDocument.Parse(atRef.Out);
        var source = plan.RootElement.GetProperty("source");
        Assert.Equal("git", source.GetProperty("kind").GetString());
        Assert.Equal(First, source.GetProperty("commit").GetString());
        Assert.Equal("refs/heads/main", source.GetProperty("ref").GetString());
        var actions = plan.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("action").GetString()).ToList();
        Assert.Equal((21, 4), (actions.Count(a => a == "install"), actions.Count(a => a == "zone_create")));
    }

    [Fact]
    public async Task Validate_at_a_ref_reads_the_commit_and_an_unknown_ref_is_an_error()
    {
        File.Delete(Path.Combine(FleetDirectory, "fleet.yaml"));

        var atRef = await Run("validate", "--ref", First[..10]);
        var unknown = await Run("validate", "--ref", "release-9");

        Assert.Equal(0, atRef.ExitCode);
        Assert.Equal((1, "error: unknown git ref 'release-9': no branch, tag or commit of that name\n"), (unknown.ExitCode, unknown.Err));
    }

    [Fact]
    public async Task A_pull_request_plan_shows_field_level_changes_then_the_plan()
    {
        Assert.Equal(0, (await Run("inventory", "ingest", "recon")).ExitCode);
        Repo.Git("checkout", "-q", "-b", "grow-fancydb");
        _quickstart.ResizeFancydbLon(4, 6);
        _quickstart.Edit("roles/web.yaml", "owner: edge-team", "owner: frontend-team");
        Repo.Commit("grow fancydb-lon");

        var text = await Run("plan", "--base", "main", "--ref", "grow-fancydb");
        var markdown = await Run("plan", "--base", "main", "--ref", "grow-fancydb", "--format", "markdown");

        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith(
            $"Desired-state changes from commit {First[..12]} (refs/heads/main) to commit ",
            text.Out,
            StringComparison.Ordinal);
        Assert.Contains("\n  pool/fancydb-lon size 4 → 6\n  role/web owner edge-team → frontend-team\n\n", text.Out, StringComparison.Ordinal);
        Assert.Contains("Plan: 23 to install", text.Out, StringComparison.Ordinal);
        Assert.StartsWith("### Desired-state changes\n", markdown.Out, StringComparison.Ordinal);
        Assert.Contains("- pool/fancydb-lon size 4 → 6\n", markdown.Out, StringComparison.Ordinal);
        Assert.Contains("### fleetctl plan: quickstart", markdown.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Codeowners_are_generated_from_role_owners_and_a_stale_file_fails_validation()
    {
        File.AppendAllText(Path.Combine(FleetDirectory, "fleet.yaml"), "owners:\n  storage-squad: \"@example/storage\"\n");

        var generated = await Run("codeowners");
        Assert.Equal(0, generated.ExitCode);
        Assert.Contains("/fleet/roles/fancydb.yaml @example/storage\n", generated.Out, StringComparison.Ordinal);
        Assert.Contains("/fleet/pools/lon.yaml ", generated.Out, StringComparison.Ordinal);

        var codeowners = Path.Combine(Repo.Root, "CODEOWNERS");
        File.WriteAllText(codeowners, "* @example/platform\n" + generated.Out);
        Assert.Equal(0, (await Run("validate", "--codeowners", codeowners)).ExitCode);

        File.WriteAllText(codeowners, generated.Out.Replace("@example/storage", "@example/old", StringComparison.Ordinal));
        var stale = await Run("validate", "--codeowners", codeowners);
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("CODEOWNERS is out of date (missing: /fleet/roles/fancydb.yaml @example/storage)", stale.Err, StringComparison.Ordinal);
    }
}
