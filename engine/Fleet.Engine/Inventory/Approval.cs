using System.Collections.Immutable;

namespace Fleet.Engine.Inventory;

/// <summary>
/// Which new machines an operator approves (<c>fleetctl inventory approve</c>): the named serials, or
/// every new machine matching the filters; set filters must all match. <see cref="IsEmpty"/> approves
/// nothing, so approving every new machine is an explicit choice of the caller.
/// </summary>
public sealed record Approval(ImmutableArray<string> Serials, string? Site = null, string? Rack = null, string? HardwareType = null)
{
    public bool IsEmpty => Serials.IsDefaultOrEmpty && Site is null && Rack is null && HardwareType is null;

    public bool Matches(Machine machine) =>
        (Site is null || machine.Site == Site)
        && (Rack is null || machine.Rack == Rack)
        && (HardwareType is null || machine.HardwareType == HardwareType);
}
