using Fleet.Engine.Inventory;

namespace Fleet.Providers.Physical.Power;

public enum PowerState
{
    On,
    Off,

    /// <summary>The BMC did not say: the lifecycle never powers on a machine it cannot confirm is off.</summary>
    Unknown,
}

/// <summary>What a machine's next network boot loads: the OS installer, or the disk-wiping sanitize image.</summary>
public enum BootImage
{
    Installer,
    Sanitize,
}

/// <summary>
/// A machine's BMC: power state and control, and a one-time PXE boot override (the next boot only,
/// so a machine that reboots later comes up from its disk). Implementations: ipmi, redfish, simulated.
/// </summary>
public interface IPowerDriver
{
    /// <summary>The driver's name as written in fleet.yaml (<c>ipmi</c>, <c>redfish</c>, <c>simulated</c>).</summary>
    string Name { get; }

    /// <summary>False for drivers that only pretend; shown wherever their results are.</summary>
    bool IsRealHardware { get; }

    Task<PowerState> GetPowerStateAsync(Machine machine, CancellationToken cancellationToken);

    Task PowerOnAsync(Machine machine, CancellationToken cancellationToken);

    Task PowerOffAsync(Machine machine, CancellationToken cancellationToken);

    Task PowerCycleAsync(Machine machine, CancellationToken cancellationToken);

    Task SetOneTimePxeBootAsync(Machine machine, BootImage image, CancellationToken cancellationToken);
}

/// <summary>How a network-booted task (install or sanitize) ended.</summary>
public sealed record BootTaskOutcome(bool Succeeded, string? Error)
{
    public static BootTaskOutcome Success { get; } = new(true, null);

    public static BootTaskOutcome Failure(string error) => new(false, error);
}

/// <summary>
/// Tells the lifecycle when the installer or sanitizer a machine booted into has finished. On real
/// hardware the installer calls back over HTTP (<c>fleetctl serve</c>); the simulated datacenter
/// answers itself. Null from <see cref="WaitAsync"/> means no completion came before the deadline.
/// </summary>
public interface IBootTaskCompletions
{
    /// <summary>
    /// Called before the machine is network-booted into <paramref name="image"/>: a new attempt
    /// begins, and completions of earlier ones stop counting. Nothing to do where the completions
    /// need no record of it (the simulated datacenter).
    /// </summary>
    Task BeginAsync(Machine machine, BootImage image, string? jobId, CancellationToken cancellationToken) => Task.CompletedTask;

    Task<BootTaskOutcome?> WaitAsync(Machine machine, BootImage image, DateTimeOffset deadline, CancellationToken cancellationToken);
}
