using System.Text;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Loading;

public sealed class GitCommitSourceTests : IDisposable
{
    private readonly GitRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Reads_the_committed_tree_and_ignores_uncommitted_edits()
    {
        _repo.Write("fleet.yaml", "name: committed\n");
        _repo.Write("pools/a.yaml", "size: 1\n");
        var commit = _repo.Commit("first");
        _repo.Write("fleet.yaml", "name: edited-in-worktree\n");
        _repo.Write("pools/new.yaml", "size: 9\n");

        using var source = GitCommitSource.Open(_repo.Root, "main");

        Assert.Equal(commit, source.Commit);
        Assert.Equal("refs/heads/main", source.Reference);
        Assert.Equal(["fleet.yaml", "pools/a.yaml"], source.ListFiles());
        Assert.Equal("name: committed\n", Encoding.UTF8.GetString(source.ReadAllBytes("fleet.yaml")));
        Assert.False(source.Exists("pools/new.yaml"));
    }

    [Fact]
    public void Reads_the_same_subdirectory_at_the_commit()
    {
        _repo.Write("README.md", "not part of the fleet\n");
        _repo.Write("fleets/prod/fleet.yaml", "name: prod\n");
        _repo.Write("fleets/prod/roles/db.yaml", "kind: Role\n");
        _repo.Write("fleets/prod/.fleet/inventory.db", "local state\n");
        _repo.Write("fleets/prod/.github/x.yaml", "not a fleet document\n");
        _repo.Write("fleets/test/fleet.yaml", "name: test\n");
        _repo.Commit("fleets");

        using var source = GitCommitSource.Open(Path.Combine(_repo.Root, "fleets", "prod"), "HEAD");

        Assert.Equal(["fleet.yaml", "roles/db.yaml"], source.ListFiles());
        Assert.Equal(11, source.GetSize("fleet.yaml"));
    }

    [Fact]
    public void Resolves_tags_short_and_full_commit_ids()
    {
        _repo.Write("fleet.yaml", "v1\n");
        var first = _repo.Commit("one");
        _repo.Git("tag", "-a", "v1", "-m", "release 1");
        _repo.Write("fleet.yaml", "v2\n");
        _repo.Commit("two");

        using var byTag = GitCommitSource.Open(_repo.Root, "v1");
        using var byShortId = GitCommitSource.Open(_repo.Root, first[..8]);
        using var byFullId = GitCommitSource.Open(_repo.Root, first);

        Assert.Equal(first, byTag.Commit);
        Assert.Equal("refs/tags/v1", byTag.Reference);
        Assert.Equal(first, byShortId.Commit);
        Assert.Null(byFullId.Reference);
        Assert.Equal("v1\n", Encoding.UTF8.GetString(byFullId.ReadAllBytes("fleet.yaml")));
    }

    [Fact]
    public void An_unknown_ref_is_a_user_error()
    {
        _repo.Write("fleet.yaml", "x\n");
        _repo.Commit("one");

        var error = Assert.Throws<FleetException>(() => GitCommitSource.Open(_repo.Root, "no-such-branch"));

        Assert.Contains("unknown git ref 'no-such-branch'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_repository_is_a_user_error()
    {
        _repo.Write("fleet.yaml", "x\n");
        _repo.Commit("one");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_repo.Root, ".git", "objects"), "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
            File.WriteAllText(file, "not a git object");
        }

        var error = Assert.Throws<FleetException>(() =>
        {
            using var source = GitCommitSource.Open(_repo.Root, "main");
            source.ReadAllBytes("fleet.yaml");
        });

        Assert.Contains("cannot resolve git ref 'main'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_outside_any_repository_is_a_user_error()
    {
        var outside = Directory.CreateTempSubdirectory("fleet-nogit-").FullName;
        try
        {
            var error = Assert.Throws<FleetException>(() => GitCommitSource.Open(outside, "main"));
            Assert.Contains("is not inside one", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
