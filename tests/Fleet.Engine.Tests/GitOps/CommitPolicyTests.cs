using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Tests.GitOps;

public class CommitPolicyTests
{
    private static readonly string Old = new('1', 40);
    private static readonly string New = new('2', 40);
    private static readonly AppliedCommit LastApplied = new(Old, "refs/heads/main", "sha256:x", "ci@runner", new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_descendant_commit_is_applied()
    {
        Assert.Null(CommitPolicy.Check(PlanSource.Git(New, "refs/heads/main"), LastApplied, false, false, (_, _) => Ancestry.Descendant));
        Assert.Null(CommitPolicy.Check(PlanSource.Git(New, null), null, true, false, (_, _) => throw new InvalidOperationException("no ledger, no ancestry check")));
    }

    [Fact]
    public void An_out_of_order_commit_is_refused_unless_rollback_is_allowed()
    {
        var error = Assert.Throws<FleetException>(() => CommitPolicy.Check(PlanSource.Git(New, null), LastApplied, false, false, (_, _) => Ancestry.NotDescendant));
        Assert.Contains("does not descend from the last applied commit 111111111111", error.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-rollback", error.Message, StringComparison.Ordinal);

        var warning = CommitPolicy.Check(PlanSource.Git(New, null), LastApplied, false, allowRollback: true, (_, _) => Ancestry.NotDescendant);
        Assert.Contains("rolling back", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_working_tree_apply_is_refused_when_the_fleet_requires_commits()
    {
        Assert.Null(CommitPolicy.Check(PlanSource.Worktree, LastApplied, requireCommit: false, false, (_, _) => Ancestry.Descendant));
        var error = Assert.Throws<FleetException>(() => CommitPolicy.Check(PlanSource.Worktree, LastApplied, requireCommit: true, false, (_, _) => Ancestry.Descendant));
        Assert.Contains("--ref", error.Message, StringComparison.Ordinal);
    }
}
