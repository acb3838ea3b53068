using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>
/// The <c>ipmi</c> power driver: each operation opens an RMCP+ session with the machine's BMC
/// (its inventory <c>bmc</c> address, port 623 unless given), runs its commands and closes the
/// session, so machines are driven in parallel without sharing anything. BMC errors become
/// <see cref="FleetException"/>s naming the machine and the BMC, as the lifecycle and the CLI report them.
/// </summary>
public sealed class IpmiPowerDriver(IpmiCredentials credentials, IpmiOptions options, TimeProvider clock) : IPowerDriver
{
    public const int DefaultPort = 623;

    public string Name => "ipmi";

    public bool IsRealHardware => true;

    public Task<PowerState> GetPowerStateAsync(Machine machine, CancellationToken cancellationToken) =>
        InSessionAsync(machine, IpmiChassis.GetPowerStateAsync, cancellationToken);

    public Task PowerOnAsync(Machine machine, CancellationToken cancellationToken) =>
        InSessionAsync(machine, (session, ct) => IpmiChassis.ControlAsync(session, ChassisControl.PowerUp, ct), cancellationToken);

    public Task PowerOffAsync(Machine machine, CancellationToken cancellationToken) =>
        InSessionAsync(machine, (session, ct) => IpmiChassis.ControlAsync(session, ChassisControl.PowerDown, ct), cancellationToken);

    /// <summary>
    /// Restarts the machine. A BMC may ignore a power cycle of a machine that is off (or refuse it:
    /// "not supported in the present state"), so one that the BMC confirms off is powered up instead,
    /// as the lifecycle does; one it cannot say is left alone.
    /// </summary>
    public Task PowerCycleAsync(Machine machine, CancellationToken cancellationToken) =>
        InSessionAsync(machine, async (session, ct) =>
        {
            var action = await IpmiChassis.GetPowerStateAsync(session, ct) switch
            {
                PowerState.On => ChassisControl.PowerCycle,
                PowerState.Off => ChassisControl.PowerUp,
                _ => throw new IpmiException(session.Endpoint, $"the BMC at {session.Endpoint} did not report the power state; not power cycling"),
            };
            await IpmiChassis.ControlAsync(session, action, ct);
        }, cancellationToken);

    /// <summary>IPMI boots the network once; which image comes up is for the boot server to say (it follows the machine's state).</summary>
    public Task SetOneTimePxeBootAsync(Machine machine, BootImage image, CancellationToken cancellationToken) =>
        InSessionAsync(machine, IpmiChassis.SetPxeBootOnceAsync, cancellationToken);

    private Task InSessionAsync(Machine machine, Func<IpmiSession, CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        InSessionAsync<object?>(machine, async (session, ct) =>
        {
            await operation(session, ct);
            return null;
        }, cancellationToken);

    private async Task<T> InSessionAsync<T>(Machine machine, Func<IpmiSession, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var bmc = machine.Bmc ?? throw new FleetException($"machine {machine.HardwareName} has no BMC address in the inventory");
        try
        {
            await using var session = await IpmiSession.OpenAsync(bmc.Address, bmc.Port ?? DefaultPort, credentials, options, clock, cancellationToken);
            return await operation(session, cancellationToken);
        }
        catch (IpmiException e)
        {
            throw new FleetException($"machine {machine.HardwareName}: {e.Message}", e);
        }
    }
}
