using Fleet.Engine.Inventory;

namespace Fleet.Engine.Providers;

/// <summary>
/// A machine as it will be once the changes planned before a provider ran: what consumers of
/// machines (DNS zones, a CMDB export) read, whichever provider makes the machine. Providers that make
/// machines return every machine of theirs this way (<see cref="ProviderPlan.Machines"/>), changed or not.
/// </summary>
/// <param name="Id">The machine's identity within its provider: a serial, an instance name.</param>
/// <param name="Provider">The provider that makes it.</param>
/// <param name="Address">Its primary IP address, when it has one.</param>
public sealed record ProjectedMachine(
    string Id,
    string Provider,
    string? Site,
    string? Hostname,
    string? Address,
    string? Pool,
    string? Role,
    MachineState State)
{
    /// <summary>An inventory machine as it is now.</summary>
    public static ProjectedMachine Of(Machine machine, string provider) =>
        new(machine.HardwareName, provider, machine.Site, machine.Hostname, machine.PrimaryIp, machine.Pool, machine.Role, machine.State);
}
