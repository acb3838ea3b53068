namespace Fleet.Engine.Inventory;

/// <summary>
/// A compare-and-swap lost a race: the machine's row version is no longer the one the caller read,
/// or the hostname it wanted was taken meanwhile. Not a user error: re-read and retry (or re-plan).
/// </summary>
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException(string hardwareName, long expectedVersion, long? actualVersion, string? hostname = null)
        : base(Describe(hardwareName, expectedVersion, actualVersion, hostname))
    {
        HardwareName = hardwareName;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
        Hostname = hostname;
    }

    public string HardwareName { get; }

    public long ExpectedVersion { get; }

    /// <summary>The version found, when the conflict was a version mismatch.</summary>
    public long? ActualVersion { get; }

    /// <summary>The hostname another machine holds, when that was the conflict.</summary>
    public string? Hostname { get; }

    private static string Describe(string hardwareName, long expected, long? actual, string? hostname) =>
        hostname is not null
            ? $"machine {hardwareName}: hostname {hostname} is already held by another machine"
            : $"machine {hardwareName} changed concurrently (expected version {expected}, found {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})";
}
