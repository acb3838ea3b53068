using Fleet.Engine.Inventory;

namespace Fleet.Providers.Physical.Planning;

/// <summary>
/// The available machines of one site and hardware type, by rack, each rack in serial order.
/// Pools claim from it in turn; a claim spreads over racks, always taking the next machine from the
/// rack holding the fewest machines of the claiming pool (ties: rack name), so a pool survives the
/// loss of a rack as well as the free machines allow.
/// </summary>
internal sealed class FreeMachines
{
    private readonly Dictionary<string, Rack> racks = new(StringComparer.Ordinal);
    private bool sorted;

    public int Count { get; private set; }

    public void Add(Machine machine)
    {
        var name = machine.Rack ?? string.Empty;
        if (!racks.TryGetValue(name, out var rack))
        {
            racks[name] = rack = new Rack(name);
        }

        rack.Machines.Add(machine);
        Count++;
        sorted = false;
    }

    /// <summary>Takes <paramref name="count"/> machines (at most <see cref="Count"/>), updating <paramref name="poolPerRack"/> as it goes.</summary>
    public List<Machine> Claim(int count, Dictionary<string, int> poolPerRack)
    {
        if (!sorted)
        {
            foreach (var rack in racks.Values)
            {
                rack.Machines.Sort(static (a, b) => string.CompareOrdinal(a.HardwareName, b.HardwareName));
            }

            sorted = true;
        }

        var queue = new PriorityQueue<Rack, (int Held, string Name)>(RackOrder.Instance);
        foreach (var rack in racks.Values)
        {
            if (rack.Remaining > 0)
            {
                queue.Enqueue(rack, (poolPerRack.GetValueOrDefault(rack.Name), rack.Name));
            }
        }

        var claimed = new List<Machine>(count);
        while (claimed.Count < count && queue.TryDequeue(out var rack, out var priority))
        {
            claimed.Add(rack.Machines[rack.Next++]);
            Count--;
            poolPerRack[rack.Name] = priority.Held + 1;
            if (rack.Remaining > 0)
            {
                queue.Enqueue(rack, (priority.Held + 1, rack.Name));
            }
        }

        return claimed;
    }

    private sealed class Rack(string name)
    {
        public string Name { get; } = name;

        public List<Machine> Machines { get; } = [];

        public int Next { get; set; }

        public int Remaining => Machines.Count - Next;
    }

    private sealed class RackOrder : IComparer<(int Held, string Name)>
    {
        public static RackOrder Instance { get; } = new();

        public int Compare((int Held, string Name) x, (int Held, string Name) y) =>
            x.Held != y.Held ? x.Held.CompareTo(y.Held) : string.CompareOrdinal(x.Name, y.Name);
    }
}
