using System.Collections.Immutable;

namespace Fleet.Engine.GitOps;

/// <summary>One successful apply as the ledger remembers it. <see cref="Commit"/> is null for a working-tree apply.</summary>
public sealed record AppliedCommit(
    string? Commit,
    string? Reference,
    string PlanChecksum,
    string AppliedBy,
    DateTimeOffset AppliedAt);

/// <summary>The applied-commit ledger in the state database: what was applied, in order.</summary>
public interface ICommitLedger
{
    /// <summary>The most recent apply of a git commit (working-tree applies are skipped), or null.</summary>
    Task<AppliedCommit?> GetLastCommitAsync(CancellationToken cancellationToken);

    Task RecordAsync(AppliedCommit applied, CancellationToken cancellationToken);

    /// <summary>The newest first.</summary>
    Task<ImmutableArray<AppliedCommit>> ListAsync(int limit, CancellationToken cancellationToken);
}
