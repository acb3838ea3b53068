using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.GitOps;

public sealed class GitHistoryTests : IDisposable
{
    private readonly GitRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Knows_a_roll_forward_from_a_roll_back()
    {
        _repo.Write("fleet.yaml", "1\n");
        var first = _repo.Commit("one");
        _repo.Write("fleet.yaml", "2\n");
        var second = _repo.Commit("two");

        Assert.Equal(Ancestry.Same, GitHistory.Compare(_repo.Root, second, second));
        Assert.Equal(Ancestry.Descendant, GitHistory.Compare(_repo.Root, second, first));
        Assert.Equal(Ancestry.NotDescendant, GitHistory.Compare(_repo.Root, first, second));
    }

    [Fact]
    public void A_merge_descends_from_both_parents_and_a_sibling_branch_does_not()
    {
        _repo.Write("fleet.yaml", "base\n");
        _repo.Commit("base");
        _repo.Git("checkout", "-q", "-b", "feature");
        _repo.Write("pools/a.yaml", "a\n");
        var feature = _repo.Commit("feature");
        _repo.Git("checkout", "-q", "main");
        _repo.Write("pools/b.yaml", "b\n");
        var mainTip = _repo.Commit("main");

        Assert.Equal(Ancestry.NotDescendant, GitHistory.Compare(_repo.Root, feature, mainTip));

        _repo.Git("merge", "-q", "--no-edit", "feature");
        var merge = _repo.Git("rev-parse", "HEAD").Trim();
        Assert.Equal(Ancestry.Descendant, GitHistory.Compare(_repo.Root, merge, feature));
        Assert.Equal(Ancestry.Descendant, GitHistory.Compare(_repo.Root, merge, mainTip));
    }

    [Fact]
    public void A_missing_last_applied_commit_says_how_to_fetch_it()
    {
        _repo.Write("fleet.yaml", "1\n");
        var head = _repo.Commit("one");

        var error = Assert.Throws<FleetException>(() => GitHistory.Compare(_repo.Root, head, new string('a', 40)));

        Assert.Contains("is not in this repository", error.Message, StringComparison.Ordinal);
        Assert.Contains("git fetch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetches_a_branch_of_a_bare_remote_including_a_force_push()
    {
        using var upstream = new GitRepository();
        upstream.Write("fleet.yaml", "1\n");
        var first = upstream.Commit("one");
        var bare = Path.Combine(upstream.Root, "remote.git");
        upstream.Git("clone", "-q", "--bare", upstream.Root, bare);
        _repo.Git("remote", "add", "origin", bare);

        Assert.Equal(first, GitHistory.Fetch(_repo.Root, "origin", "main"));

        upstream.Write("fleet.yaml", "rewritten\n");
        upstream.Git("commit", "-q", "--amend", "-am", "rewritten");
        upstream.Git("push", "-q", "--force", bare, "main");
        var rewritten = GitHistory.Fetch(_repo.Root, "origin", "main");

        Assert.NotEqual(first, rewritten);
        Assert.Equal(Ancestry.NotDescendant, GitHistory.Compare(_repo.Root, rewritten, first));
    }

    [Fact]
    public void Fetch_failures_are_user_errors_without_credentials()
    {
        _repo.Write("fleet.yaml", "1\n");
        _repo.Commit("one");
        _repo.Git("remote", "add", "origin", "/nonexistent/secret-path.git");
        _repo.Git("remote", "add", "private", "https://robot:s3cr3t-token@127.0.0.1:9/fleet.git");

        Assert.Contains("fetching main from origin", Assert.Throws<FleetException>(() => GitHistory.Fetch(_repo.Root, "origin", "main")).Message, StringComparison.Ordinal);
        var error = Assert.Throws<FleetException>(() => GitHistory.Fetch(_repo.Root, "private", "main"));
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
        Assert.Contains("no remote named 'upstream'", Assert.Throws<FleetException>(() => GitHistory.Fetch(_repo.Root, "upstream", "main")).Message, StringComparison.Ordinal);
    }
}
