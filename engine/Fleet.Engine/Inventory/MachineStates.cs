namespace Fleet.Engine.Inventory;

/// <summary>The spelling of states and the only transitions DESIGN.md allows.</summary>
public static class MachineStates
{
    /// <summary>Every state as spelled on the wire, for messages that list them.</summary>
    public const string Spellings = "new, available, installing, in_use, recycling or broken";

    public static string ToWire(this MachineState state) => state switch
    {
        MachineState.Available => "available",
        MachineState.Installing => "installing",
        MachineState.InUse => "in_use",
        MachineState.Recycling => "recycling",
        MachineState.Broken => "broken",
        MachineState.New => "new",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string text, out MachineState state)
    {
        switch (text)
        {
            case "available": state = MachineState.Available; return true;
            case "installing": state = MachineState.Installing; return true;
            case "in_use": state = MachineState.InUse; return true;
            case "recycling": state = MachineState.Recycling; return true;
            case "broken": state = MachineState.Broken; return true;
            case "new": state = MachineState.New; return true;
            default: state = default; return false;
        }
    }

    public static MachineState Parse(string text) =>
        TryParse(text, out var state) ? state : throw new FormatException($"unknown machine state '{text}'");

    /// <summary>
    /// available→installing (install), installing→in_use (done), in_use→recycling (recycle),
    /// recycling→available (done), in_use→installing (reimage), any→broken (mark broken),
    /// broken→recycling (recycle), broken→available (repair), installing→broken (failed N times),
    /// new→available (approve).
    /// </summary>
    public static bool IsAllowed(MachineState from, MachineState to) => (from, to) switch
    {
        (_, MachineState.Broken) => from != MachineState.Broken,
        (MachineState.Available, MachineState.Installing) => true,
        (MachineState.Installing, MachineState.InUse) => true,
        (MachineState.InUse, MachineState.Recycling) => true,
        (MachineState.Recycling, MachineState.Available) => true,
        (MachineState.InUse, MachineState.Installing) => true,
        (MachineState.Broken, MachineState.Recycling) => true,
        (MachineState.Broken, MachineState.Available) => true,
        (MachineState.New, MachineState.Available) => true,
        _ => false,
    };
}
