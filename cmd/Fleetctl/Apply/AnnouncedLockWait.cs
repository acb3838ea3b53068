using Fleet.Engine.Diagnostics;
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
        catch (FleetException held)
        {
            // The refusal names the holder: "another apply holds the fleet's apply lock: alice on …, since …; try again …".
            const string Refusal = "another apply holds the fleet's apply lock";
            var why = held.Diagnostics[0].Message.Split("; ", 2)[0].Split(" (waited ", 2)[0];
            var holderText = why.StartsWith(Refusal, StringComparison.Ordinal) ? why[Refusal.Length..] : ": " + why;
            note($"Waiting up to {WorkerWatch.Format(wait)} for the fleet's apply lock, which another apply holds{holderText}.");
            return await inner.AcquireAsync(holder, wait, cancellationToken);
        }
    }

    public Task<LockHolder?> GetHolderAsync(CancellationToken cancellationToken) => inner.GetHolderAsync(cancellationToken);
}
