using Fleet.Engine.Planning;

namespace Fleet.Engine.Execution;

/// <summary>What happened to a change; the wire names are those of the NDJSON progress events.</summary>
public enum ExecutionEventKind
{
    Started,
    Retrying,
    Replaced,
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>
/// One observable step of an apply (Argo CD's observable sync state): the CLI renders these as a live
/// display, plain lines or NDJSON. <see cref="Message"/> is for people; the other fields are stable.
/// </summary>
public sealed record ExecutionEvent(
    ExecutionEventKind Kind,
    DateTimeOffset At,
    string ChangeId,
    string Address,
    ChangeAction Action,
    string? Machine,
    string? Site,
    int Attempt,
    string? Message)
{
    public static ExecutionEvent For(ExecutionEventKind kind, DateTimeOffset at, PlannedChange change, int attempt = 0, string? message = null, string? machine = null) =>
        new(kind, at, change.Id, change.Address, change.Action, machine ?? change.Machine, change.Site, attempt, message);
}

public static class ExecutionEventKinds
{
    public static string ToWire(this ExecutionEventKind kind) => kind switch
    {
        ExecutionEventKind.Started => "started",
        ExecutionEventKind.Retrying => "retrying",
        ExecutionEventKind.Replaced => "replaced",
        ExecutionEventKind.Succeeded => "succeeded",
        ExecutionEventKind.Failed => "failed",
        ExecutionEventKind.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
