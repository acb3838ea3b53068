namespace Fleet.Engine.Jobs;

/// <summary>
/// The network-booted task a machine runs now: the OS installer (<see cref="Install"/>) or the
/// disk-wiping sanitize image (<see cref="Sanitize"/>), the wire names in the state database.
/// </summary>
public static class BootTaskKinds
{
    public const string Install = "install";

    public const string Sanitize = "sanitize";
}

/// <summary>
/// A machine's current boot task: which one, for which job, when the attempt started, and how it
/// ended once its installer called back (<see cref="Succeeded"/> null while it has not).
/// </summary>
public sealed record BootTask(string Machine, string Kind, string? JobId, DateTimeOffset StartedAt, bool? Succeeded, string? Error, DateTimeOffset? CompletedAt);

/// <summary>
/// Boot tasks and their completions, in the state database so that the process that runs an install
/// (apply or a worker) and the one that receives the installer's callback (<c>fleetctl serve</c>) need
/// not be the same. One task per machine: starting an attempt replaces the previous one, so a token
/// or a completion of an earlier attempt never counts for a later one. Tokens are kept only as their
/// SHA-256 hash.
/// </summary>
public interface IBootTaskStore
{
    /// <summary>Starts a new attempt of <paramref name="kind"/> on a machine: no token yet, no completion.</summary>
    Task StartAsync(string machine, string kind, string? jobId, DateTimeOffset startedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the machine's unfinished task of <paramref name="kind"/> a new token (its hash); the
    /// previous token stops counting. Null, and nothing changed, when the machine has no unfinished
    /// task of that kind: a machine booting the installer must not rotate the token of a sanitize
    /// attempt, nor the reverse.
    /// </summary>
    Task<BootTask?> IssueTokenAsync(string machine, string kind, byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Records how the task whose current token has <paramref name="tokenHash"/> ended, once: false
    /// when no unfinished task has that token (unknown, replaced or already used).
    /// </summary>
    Task<bool> CompleteAsync(byte[] tokenHash, bool succeeded, string? error, DateTimeOffset completedAt, CancellationToken cancellationToken);

    Task<BootTask?> GetAsync(string machine, CancellationToken cancellationToken);
}
