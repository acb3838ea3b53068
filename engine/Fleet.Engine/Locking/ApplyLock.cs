using System.Globalization;
using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Locking;

/// <summary>Who holds (or asks for) the fleet-wide apply lock; shown to anyone who has to wait for it.</summary>
public sealed record LockHolder(string User, string Host, int Pid, string? Commit, DateTimeOffset Since)
{
    public static LockHolder ForThisProcess(string user, string? commit, DateTimeOffset now) =>
        new(user, Environment.MachineName, Environment.ProcessId, commit, now);

    public override string ToString()
    {
        var commit = Commit is null ? "a working tree" : $"commit {Commit[..Math.Min(12, Commit.Length)]}";
        return string.Create(CultureInfo.InvariantCulture, $"{User} on {Host} (pid {Pid}), applying {commit}, since {Since:yyyy-MM-dd HH:mm:ss}Z");
    }
}

/// <summary>
/// One apply per fleet at a time. The lock lives as long as the process that holds it: PostgreSQL
/// drops a session advisory lock with its connection, and the OS drops a file lock with its process,
/// so a killed CI job never leaves a lock that needs a force-unlock.
/// </summary>
public interface IApplyLock
{
    /// <summary>
    /// Takes the lock, waiting up to <paramref name="wait"/> (zero: fail at once). Throws
    /// a <see cref="FleetException"/> (<see cref="ApplyLockErrors.Held"/>) naming the holder when it stays taken. Dispose to release.
    /// </summary>
    Task<IAsyncDisposable> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>The current holder, or null when the lock is free.</summary>
    Task<LockHolder?> GetHolderAsync(CancellationToken cancellationToken);
}

/// <summary>Thrown when another apply holds the lock: a user error, so the CLI prints it and exits 1.</summary>
public static class ApplyLockErrors
{
    public static FleetException Held(LockHolder? holder, TimeSpan waited) =>
        new(holder is null
            ? $"another apply holds the fleet's apply lock{Waited(waited)}; try again when it has finished"
            : $"another apply holds the fleet's apply lock: {holder}{Waited(waited)}; try again when it has finished, or wait with --lock-timeout");

    private static string Waited(TimeSpan waited) =>
        waited > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $" (waited {waited.TotalSeconds:0.#} s)") : string.Empty;
}
