using System.Text.Json.Nodes;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Providers;

/// <summary>
/// What a provider's apply sees besides the change: the plan it belongs to (commit, checksum),
/// who asked, and the clock. Grows by adding init-only properties, so providers keep compiling.
/// </summary>
public sealed record ApplyContext(Plan Plan, string Requester, TimeProvider Clock)
{
    /// <summary>The job the change runs as, when the executor runs it through the job broker.</summary>
    public string? JobId { get; init; }
}

public enum ChangeStatus
{
    /// <summary>The change took effect now.</summary>
    Applied,

    /// <summary>The change had already taken effect (idempotent re-run); nothing was done.</summary>
    AlreadyApplied,

    /// <summary>The change did not take effect; <see cref="ChangeResult.Message"/> says why. The executor may retry.</summary>
    Failed,
}

/// <summary>The outcome of applying one change, with details for the apply report (never secrets).</summary>
public sealed record ChangeResult(ChangeStatus Status, string? Message = null, JsonObject? Details = null)
{
    public static ChangeResult Applied(string? message = null) => new(ChangeStatus.Applied, message);

    public static ChangeResult AlreadyApplied(string? message = null) => new(ChangeStatus.AlreadyApplied, message);

    public static ChangeResult Failed(string message) => new(ChangeStatus.Failed, message);

    public bool Succeeded => Status != ChangeStatus.Failed;
}
