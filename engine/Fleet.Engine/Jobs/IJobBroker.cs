namespace Fleet.Engine.Jobs;

/// <summary>
/// The job broker in the state database. Claims are atomic (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>;
/// SQLite: an immediate transaction), so two workers never run one job at the same time; every
/// update after a claim names the worker and is refused once another worker has taken the job over.
/// </summary>
public interface IJobBroker
{
    Task<Job> EnqueueAsync(NewJob job, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Adds a job already claimed by <paramref name="claim"/>'s worker (its first attempt counted), in one write.</summary>
    Task<Job> EnqueueClaimedAsync(NewJob job, JobClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the oldest job that is due: queued with its next attempt reached, or running with an
    /// expired lease (its worker died). Counts an attempt. Null when nothing is due.
    /// </summary>
    Task<Job?> ClaimNextAsync(JobClaim claim, CancellationToken cancellationToken);

    /// <summary>Takes this job if it is due, as <see cref="ClaimNextAsync"/> would; null otherwise.</summary>
    Task<Job?> ClaimAsync(long id, JobClaim claim, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when the job is no longer this worker's.</summary>
    Task<bool> HeartbeatAsync(long id, string worker, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Marks the running job finished; false when the job is no longer this worker's.</summary>
    Task<bool> FinishAsync(long id, string worker, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed attempt: queued again for <paramref name="nextAttemptAt"/>, or failed for good
    /// when that is null (with <paramref name="replacedBy"/> when a replacement job took over).
    /// False when the job is no longer this worker's.
    /// </summary>
    Task<bool> FailAttemptAsync(long id, string worker, DateTimeOffset now, string error, DateTimeOffset? nextAttemptAt, long? replacedBy, CancellationToken cancellationToken);

    Task<Job?> GetAsync(long id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Job>> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>Jobs counted per action, site and status, in one grouped query.</summary>
    Task<IReadOnlyList<JobCount>> CountAsync(CancellationToken cancellationToken);

    /// <summary>Queues a failed job again with a fresh attempt budget; null when it is not failed.</summary>
    Task<Job?> RetryAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Fails every unfinished job of applies other than <paramref name="currentApplyId"/> whose work
    /// no live worker holds (queued, or running with an expired lease or an in-process worker of a
    /// dead apply), so a later apply re-plans it instead of racing it. Returns the jobs abandoned.
    /// </summary>
    Task<IReadOnlyList<Job>> AbandonOrphansAsync(string currentApplyId, DateTimeOffset now, CancellationToken cancellationToken);
}
