using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;

namespace Fleet.Engine.GitOps;

/// <summary>
/// Decides whether a source may be applied: a late CI pipeline must not roll the fleet back, and a
/// production fleet (<c>gitops.requireCommit</c>) is never applied from a working tree.
/// </summary>
public static class CommitPolicy
{
    /// <param name="ancestry">Answers whether the commit descends from the last applied one (<see cref="GitHistory.Compare"/>).</param>
    /// <returns>A warning to show, or null.</returns>
    public static string? Check(
        PlanSource source,
        AppliedCommit? lastApplied,
        bool requireCommit,
        bool allowRollback,
        Func<string, string, Ancestry> ancestry)
    {
        if (source.Commit is null)
        {
            if (requireCommit)
            {
                throw new FleetException("this fleet requires applying a commit (gitops.requireCommit): run apply with --ref, e.g. --ref main");
            }

            return null;
        }

        if (lastApplied?.Commit is not { } last)
        {
            return null;
        }

        var relation = ancestry(source.Commit, last);
        if (relation != Ancestry.NotDescendant)
        {
            return null;
        }

        var message =
            $"commit {source.Commit[..12]} does not descend from the last applied commit {last[..Math.Min(12, last.Length)]} " +
            $"(applied by {lastApplied.AppliedBy} at {lastApplied.AppliedAt:yyyy-MM-dd HH:mm:ss}Z)";
        if (!allowRollback)
        {
            throw new FleetException(message + ": applying it would roll the fleet back; if that is intended, run again with --allow-rollback");
        }

        return message + "; rolling back as --allow-rollback asks";
    }
}
