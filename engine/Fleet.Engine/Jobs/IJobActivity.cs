using System.Collections.Immutable;

namespace Fleet.Engine.Jobs;

/// <summary>
/// What the unfinished jobs of one apply are doing, read in one query, for an apply that waits on
/// <c>fleetctl worker</c> processes: whether any worker is taking its jobs, and which jobs lost the
/// worker that held them. Read-only, separate from <see cref="IJobBroker"/>, which workers write through.
/// </summary>
public interface IJobActivity
{
    Task<JobActivity> OfApplyAsync(string applyId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// The unfinished jobs of an apply at <c>now</c>: <see cref="Due"/> can be taken by a worker (queued and
/// due, or running on an expired lease); <see cref="Waiting"/> are queued for a later retry;
/// <see cref="Running"/> are held by a worker whose lease is live. <see cref="Claims"/> is the sum of
/// attempts over the apply's jobs, which grows with every claim, however short the job.
/// <see cref="ExpiredLeases"/> are the running jobs whose worker stopped sending heartbeats;
/// <see cref="Sites"/> the same counts per site (a worker may serve one site only).
/// </summary>
public sealed record JobActivity(int Due, int Waiting, int Running, long Claims, ImmutableArray<ExpiredLease> ExpiredLeases, ImmutableArray<SiteJobActivity> Sites = default)
{
    /// <summary>
    /// Jobs another worker took over after their lease ran out, whatever they do now: a takeover between
    /// two readings never shows as an expired lease, so each claim records the lease it took over.
    /// </summary>
    public ImmutableArray<Takeover> Takeovers { get; init; } = [];
}

/// <summary>The unfinished jobs of one site (null: jobs of no site, which only workers of every site take).</summary>
public sealed record SiteJobActivity(string? Site, int Due, int Running, long Claims);

/// <summary>
/// The latest takeover of a job: the lease it took over (<see cref="ExpiredLease.Attempts"/> is the attempt
/// that lost its worker), how many takeovers the job had in all, and the worker that took it last.
/// </summary>
public sealed record Takeover(ExpiredLease Lost, int Count, string? By);

/// <summary>A running job whose lease ran out: its worker died or lost the database; the next worker to ask takes it over.</summary>
public sealed record ExpiredLease(long JobId, string Action, string Target, string Worker, DateTimeOffset LeaseUntil, int Attempts);
