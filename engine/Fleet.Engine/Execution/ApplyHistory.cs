using System.Collections.Immutable;

namespace Fleet.Engine.Execution;

/// <summary>How an apply ended; <c>running</c> while it runs, <c>interrupted</c> when its process died.</summary>
public static class ApplyResults
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";

    /// <summary>The plan was shown and not approved; nothing was applied.</summary>
    public const string Declined = "declined";
}

/// <summary>One apply as the history keeps it: who, which commit and plan, when, how it ended, counts per outcome.</summary>
public sealed record ApplyRecord(
    string Id,
    string User,
    string Host,
    string? Commit,
    string? PlanChecksum,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Result,
    ImmutableSortedDictionary<string, int> Counts);

/// <summary>Every apply, recorded when it starts and when it ends (<c>fleetctl history</c>).</summary>
public interface IApplyHistory
{
    Task StartAsync(ApplyRecord record, CancellationToken cancellationToken);

    /// <summary>Records how the apply ended and the checksum of the plan it applied (known only once planned).</summary>
    Task FinishAsync(string id, DateTimeOffset endedAt, string result, string? planChecksum, ImmutableSortedDictionary<string, int> counts, CancellationToken cancellationToken);

    /// <summary>Marks applies still <c>running</c> as interrupted; called by the holder of the apply lock, so they are dead.</summary>
    Task<int> MarkInterruptedAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The most recent applies, newest first.</summary>
    Task<IReadOnlyList<ApplyRecord>> ListAsync(int limit, CancellationToken cancellationToken);
}
