using System.Text.Json.Nodes;

namespace Fleet.Engine.Providers;

/// <summary>
/// What a provider's apply sees besides the change: who asked, the commit and plan checksum the
/// change comes from, and the clock. It holds only what a job carries, so a <c>fleetctl worker</c>
/// process that never saw the plan can build it. Grows by adding init-only properties, so providers
/// keep compiling.
/// </summary>
public sealed record ApplyContext(string Requester, string? Commit, string? PlanChecksum, TimeProvider Clock)
{
    /// <summary>The job the change runs as, when the executor runs it through the job broker (recorded in audit logs).</summary>
    public string? JobId { get; init; }

    /// <summary>Which attempt at the change this is, from 1; retries of a failed attempt count up.</summary>
    public int Attempt { get; init; } = 1;
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
    /// <summary>
    /// Something the user should read although the change succeeded (a zone pushed as the inventory is
    /// now, which differs from what the plan showed); apply prints it as a note.
    /// </summary>
    public string? Note { get; init; }

    public static ChangeResult Applied(string? message = null) => new(ChangeStatus.Applied, message);

    public static ChangeResult AlreadyApplied(string? message = null) => new(ChangeStatus.AlreadyApplied, message);

    public static ChangeResult Failed(string message) => new(ChangeStatus.Failed, message);

    /// <summary>A failure no retry can mend (the machine is not in the inventory, the fleet lacks the provider's section): the job fails at once.</summary>
    public static ChangeResult FailedPermanently(string message) => new(ChangeStatus.Failed, message) { Permanent = true };

    /// <summary>Set on a failure that retrying cannot change (<see cref="FailedPermanently"/>).</summary>
    public bool Permanent { get; init; }

    public bool Succeeded => Status != ChangeStatus.Failed;
}
