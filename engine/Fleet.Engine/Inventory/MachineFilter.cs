namespace Fleet.Engine.Inventory;

/// <summary>Which machines to list; null fields match everything, set fields must all match.</summary>
public sealed record MachineFilter(
    string? Site = null,
    MachineState? State = null,
    string? Pool = null,
    string? Role = null,
    string? HardwareType = null)
{
    public bool IsEmpty => Site is null && State is null && Pool is null && Role is null && HardwareType is null;

    public bool Matches(Machine machine) =>
        (Site is null || machine.Site == Site)
        && (State is null || machine.State == State)
        && (Pool is null || machine.Pool == Pool)
        && (Role is null || machine.Role == Role)
        && (HardwareType is null || machine.HardwareType == HardwareType);
}
