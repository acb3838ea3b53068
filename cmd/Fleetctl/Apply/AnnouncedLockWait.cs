using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Locking;

namespace Fleetctl.Apply;

/// <summary>
/// The apply lock as <c>apply --lock-timeout D</c> takes it: at once when it is free; otherwise it says
/// who holds it and how long it will wait before it waits, instead of sitting silent for minutes
/// (Terraform's "Acquiring state lock").
/// </summary>
internal sealed class AnnouncedLockWait(IApplyLock inner, Action<string> note) : IApplyLock
{
    public async Task<IAsyncDisposable> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return await inner.AcquireAsync(holder, wait, cancellationToken);
        }

        try
        {
            return await inner.AcquireAsync(holder, TimeSpan.Zero, cancellationToken);
        }
        catch (FleetException)
        {
            // Refused at once: say whom it waits for, the way the refusal names them, before it waits.
            var current = await inner.GetHolderAsync(cancellationToken);
            note($"Waiting up to {Durations.Format(wait)} for the fleet's apply lock, which another apply holds{(current is null ? string.Empty : $": {current}")}.");
            return await inner.AcquireAsync(holder, wait, cancellationToken);
        }
    }

    public Task<LockHolder?> GetHolderAsync(CancellationToken cancellationToken) => inner.GetHolderAsync(cancellationToken);
}
