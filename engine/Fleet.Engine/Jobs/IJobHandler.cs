using Fleet.Engine.Planning;

namespace Fleet.Engine.Jobs;

/// <summary>One attempt at a job: the change to apply and where the attempt stands in its retry budget.</summary>
public sealed record JobAttempt(Job Job, PlannedChange Change, int Attempt, int MaxAttempts)
{
    public bool IsLast => Attempt >= MaxAttempts;
}

/// <summary>
/// Applies changes for the job runner. <see cref="RunAsync"/> makes one idempotent attempt and throws
/// when it fails; <see cref="GiveUpAsync"/> is called once the retry budget is spent and may return a
/// change that takes over (an install on a replacement machine), which runs as a new job.
/// </summary>
public interface IJobHandler
{
    /// <summary>Applies the change; returns what now serves it (a machine serial) when that is meaningful.</summary>
    Task<string?> RunAsync(JobAttempt attempt, CancellationToken cancellationToken);

    Task<PlannedChange?> GiveUpAsync(JobAttempt attempt, string error, CancellationToken cancellationToken);
}
