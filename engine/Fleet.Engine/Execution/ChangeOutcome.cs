using System.Collections.Immutable;

namespace Fleet.Engine.Execution;

public enum OutcomeStatus
{
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>
/// How one change ended. <see cref="Machine"/> is the machine that ended up serving the change (a
/// replacement when the planned one broke); <see cref="Broken"/> lists machines given up on.
/// </summary>
public sealed record ChangeOutcome(
    string ChangeId,
    OutcomeStatus Status,
    int Attempts,
    string? Error,
    string? Machine = null,
    ImmutableArray<string> Broken = default)
{
    public static ChangeOutcome Success(string changeId, int attempts, string? machine = null, ImmutableArray<string> broken = default) =>
        new(changeId, OutcomeStatus.Succeeded, attempts, null, machine, broken.IsDefault ? [] : broken);

    public static ChangeOutcome Failure(string changeId, int attempts, string error, ImmutableArray<string> broken = default) =>
        new(changeId, OutcomeStatus.Failed, attempts, error, null, broken.IsDefault ? [] : broken);

    public static ChangeOutcome Skip(string changeId, string reason) =>
        new(changeId, OutcomeStatus.Skipped, 0, reason, null, []);

    public ImmutableArray<string> BrokenMachines => Broken.IsDefault ? [] : Broken;
}

/// <summary>The outcome of a whole apply, one result per planned change, in plan order.</summary>
public sealed class ExecutionReport
{
    private readonly Dictionary<string, ChangeOutcome> byId;

    public ExecutionReport(ImmutableArray<ChangeOutcome> results)
    {
        Results = results;
        byId = new Dictionary<string, ChangeOutcome>(results.Length, StringComparer.Ordinal);
        foreach (var result in results)
        {
            byId.TryAdd(result.ChangeId, result);
        }
    }

    public ImmutableArray<ChangeOutcome> Results { get; }

    public int Succeeded => Results.Count(r => r.Status == OutcomeStatus.Succeeded);

    public int Failed => Results.Count(r => r.Status == OutcomeStatus.Failed);

    public int Skipped => Results.Count(r => r.Status == OutcomeStatus.Skipped);

    public bool AllSucceeded => Results.All(r => r.Status == OutcomeStatus.Succeeded);

    /// <summary>
    /// The result of one change. Apply looks up every planned change once they ran, so this is a
    /// dictionary lookup: a scan made the end of a 100,000-change apply quadratic.
    /// </summary>
    public ChangeOutcome this[string changeId] =>
        byId.TryGetValue(changeId, out var outcome) ? outcome : throw new KeyNotFoundException($"the apply has no result for change {changeId}");
}
