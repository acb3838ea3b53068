using System.Collections.Immutable;

namespace Fleet.Engine.Jobs;

/// <summary>
/// Targets (machine serials) that work has already earmarked, kept in the state database so every
/// process sees them: those the running apply's plan works on, reserved before its first job is
/// enqueued (the executor enqueues jobs only as their turn comes), and the targets of unfinished
/// jobs. A provider taking a spare (a replacement machine) passes over them, or it would race a
/// planned change of the same machine, whether the apply or a <c>fleetctl worker</c> runs it.
/// </summary>
public interface ITargetReservations
{
    /// <summary>
    /// Reserves the targets for <paramref name="applyId"/>, added to those it reserved before. A
    /// reservation counts only while the apply's history says it is running, so one that died or
    /// ended holds nothing; reservations of other applies are dropped (one apply runs at a time).
    /// </summary>
    Task ReserveAsync(string applyId, IEnumerable<string> targets, CancellationToken cancellationToken);

    /// <summary>
    /// The <paramref name="candidates"/> that no running apply has reserved and no queued or running
    /// job targets, in their order.
    /// </summary>
    Task<ImmutableArray<string>> UnreservedAsync(IEnumerable<string> candidates, CancellationToken cancellationToken);
}
