using System.Collections.Concurrent;

namespace Fleet.Providers.Physical.Lifecycle;

/// <summary>
/// Machines the plan being applied has already earmarked (the targets of its installs). A
/// replacement is never taken from them, or it would race the planned install of the same machine.
/// </summary>
public sealed class MachineReservations
{
    private readonly ConcurrentDictionary<string, bool> serials = new(StringComparer.Ordinal);

    public void Reserve(IEnumerable<string> machines)
    {
        foreach (var machine in machines)
        {
            serials[machine] = true;
        }
    }

    public bool Contains(string serial) => serials.ContainsKey(serial);
}
