namespace Fleet.Engine.Inventory;

/// <summary>
/// A compare-and-swap state change of one machine: it applies only if the row still has
/// <see cref="ExpectedVersion"/>. <see cref="Hostname"/>, <see cref="Role"/>, <see cref="Pool"/> and
/// <see cref="Image"/> are the values the machine has afterwards (null clears). A move to
/// <see cref="MachineState.Available"/> always releases all four, whatever is passed.
/// </summary>
public sealed record MachineTransition(
    string HardwareName,
    long ExpectedVersion,
    MachineState To,
    string? Hostname,
    string? Role,
    string? Pool,
    string? Image)
{
    /// <summary>A transition of <paramref name="machine"/> as read that keeps its assignments; adjust with <c>with</c>.</summary>
    public static MachineTransition From(Machine machine, MachineState to) =>
        to == MachineState.Available
            ? new(machine.HardwareName, machine.Version, to, null, null, null, null)
            : new(machine.HardwareName, machine.Version, to, machine.Hostname, machine.Role, machine.Pool, machine.Image);

    /// <summary>The lifecycle verb of DESIGN.md for a move, for messages and the audit log.</summary>
    public static string Describe(MachineState from, MachineState to) => (from, to) switch
    {
        (_, MachineState.Broken) => "mark broken",
        (MachineState.Available, MachineState.Installing) => "install",
        (MachineState.InUse, MachineState.Installing) => "reimage",
        (MachineState.Installing, MachineState.InUse) => "install done",
        (_, MachineState.Recycling) => "recycle",
        (MachineState.Recycling, MachineState.Available) => "recycle done",
        (MachineState.Broken, MachineState.Available) => "repair",
        (MachineState.New, MachineState.Available) => "approve",
        _ => $"{from.ToWire()} → {to.ToWire()}",
    };
}
