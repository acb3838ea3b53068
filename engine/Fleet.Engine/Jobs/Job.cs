using System.Text.Json.Nodes;

namespace Fleet.Engine.Jobs;

/// <summary>queued → running → finished | failed; a failed attempt with retries left goes back to queued.</summary>
public enum JobStatus
{
    Queued,
    Running,
    Finished,
    Failed,
}

public static class JobStatuses
{
    public static string ToWire(this JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Finished => "finished",
        JobStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Every status as spelled on the wire, for messages that list them.</summary>
    public const string Spellings = "queued, running, finished or failed";

    public static bool TryParse(string text, out JobStatus status)
    {
        switch (text)
        {
            case "queued": status = JobStatus.Queued; return true;
            case "running": status = JobStatus.Running; return true;
            case "finished": status = JobStatus.Finished; return true;
            case "failed": status = JobStatus.Failed; return true;
            default: status = default; return false;
        }
    }

    public static JobStatus Parse(string text) =>
        TryParse(text, out var status) ? status : throw new FormatException($"unknown job status '{text}'");

    public static bool IsTerminal(this JobStatus status) => status is JobStatus.Finished or JobStatus.Failed;
}

/// <summary>
/// One change as a unit of work in the job broker (Neep's job). <see cref="Params"/> is the planned
/// change itself, so any worker can run it; <see cref="Target"/> is the machine or resource it acts
/// on. <see cref="LeaseUntil"/> is renewed by the worker's heartbeats: once it passes, the worker is
/// presumed dead and another takes the job. <see cref="ReplacedBy"/> links a job given up on to the
/// job installing a replacement machine.
/// </summary>
public sealed record Job(
    long Id,
    string? ApplyId,
    string ChangeId,
    string Action,
    string Target,
    string? Site,
    JsonObject Params,
    JobStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LeaseUntil,
    string? Worker,
    string Requester,
    string? Commit,
    string? PlanChecksum,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Error,
    long? ReplacementOf,
    long? ReplacedBy);

/// <summary>What a new job is made of; the broker assigns the id and the timestamps.</summary>
public sealed record NewJob(
    string? ApplyId,
    string ChangeId,
    string Action,
    string Target,
    string? Site,
    JsonObject Params,
    string Requester,
    string? Commit,
    string? PlanChecksum,
    long? ReplacementOf = null);

/// <summary>A worker asking for work: its name, the site it serves (all when null), and the lease it takes.</summary>
public sealed record JobClaim(string Worker, string? Site, DateTimeOffset Now, DateTimeOffset LeaseUntil);

/// <summary>A filter for listing jobs; null fields match everything. Newest first. <see cref="Target"/> is a machine's serial or a resource's address.</summary>
public sealed record JobQuery(JobStatus? Status = null, string? ApplyId = null, string? Site = null, int Limit = 100, string? Target = null);
