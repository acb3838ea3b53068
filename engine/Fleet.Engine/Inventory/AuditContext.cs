namespace Fleet.Engine.Inventory;

/// <summary>
/// Who changes the inventory and why, recorded with every change: <see cref="Actor"/> is
/// <c>user@host</c>; the job id and commit are set when the change comes from an apply.
/// </summary>
public sealed record AuditContext(string Actor, string? Reason = null, string? JobId = null, string? Commit = null)
{
    /// <summary>The current OS user on this host, the actor of interactive commands.</summary>
    public static string LocalActor() => $"{Environment.UserName}@{Environment.MachineName}";
}

/// <summary>What kind of change an audit entry records.</summary>
public enum AuditAction
{
    /// <summary>A machine first seen by recon.</summary>
    Ingest,

    /// <summary>Hardware facts of a known machine changed on re-ingest.</summary>
    Update,

    /// <summary>A lifecycle state change.</summary>
    Transition,
}

/// <summary>One line of a machine's history. <see cref="From"/> and <see cref="To"/> are null where the state did not change.</summary>
public sealed record AuditEntry(
    long Id,
    string HardwareName,
    DateTimeOffset At,
    string Actor,
    AuditAction Action,
    MachineState? From,
    MachineState? To,
    string? Reason,
    string? JobId,
    string? Commit,
    string? Detail);

public static class AuditActions
{
    public static string ToWire(this AuditAction action) => action switch
    {
        AuditAction.Ingest => "ingest",
        AuditAction.Update => "update",
        AuditAction.Transition => "transition",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static AuditAction Parse(string text) => text switch
    {
        "ingest" => AuditAction.Ingest,
        "update" => AuditAction.Update,
        "transition" => AuditAction.Transition,
        _ => throw new FormatException($"unknown audit action '{text}'"),
    };
}
