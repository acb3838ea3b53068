using Fleet.Engine.Inventory;

namespace Fleet.Providers.Physical.Planning;

/// <summary>
/// The available machines of one site and hardware type, by rack, each rack in serial order.
/// Pools claim from it in turn; a claim spreads over racks, always taking the next machine from the
/// rack holding the fewest machines of the claiming pool (ties: rack name), so a pool survives the
/// loss of a rack as well as the free machines allow.
/// </summary>
/// <remarks>
/// Racks are numbered in name order and their machines laid out in one array, a segment per rack, on
/// the first claim; a claim then works on rack numbers with arrays and a queue reused from claim to
/// claim, so the thousands of pools of a large fleet claim without allocating or comparing strings.
/// </remarks>
internal sealed class FreeMachines
{
    private List<Machine>? added = [];
    private Dictionary<string, int> rackIndex = null!;
    private Machine[] machines = [];
    private int[] next = [];
    private int[] end = [];
    private int[] held = [];
    private readonly PriorityQueue<int, long> queue = new();

    public int Count { get; private set; }

    public void Add(Machine machine)
    {
        added!.Add(machine);
        Count++;
    }

    /// <summary>
    /// Appends <paramref name="count"/> machines (at most <see cref="Count"/>) to <paramref name="claimed"/>,
    /// spreading them over racks given the pool's <paramref name="members"/> (in_use and installing).
    /// </summary>
    public void Claim(int count, List<Machine> members, List<Machine> claimed)
    {
        if (added is not null)
        {
            Index(added);
            added = null;
        }

        Array.Clear(held);
        foreach (var member in members)
        {
            if (rackIndex.TryGetValue(member.Rack ?? string.Empty, out var rack))
            {
                held[rack]++;
            }
        }

        // Priority: machines of the pool held in the rack, then the rack's number (its name order).
        queue.Clear();
        for (var rack = 0; rack < next.Length; rack++)
        {
            if (next[rack] < end[rack])
            {
                queue.Enqueue(rack, Priority(held[rack], rack));
            }
        }

        for (var taken = 0; taken < count && queue.TryDequeue(out var rack, out _); taken++)
        {
            claimed.Add(machines[next[rack]++]);
            Count--;
            if (next[rack] < end[rack])
            {
                queue.Enqueue(rack, Priority(++held[rack], rack));
            }
        }
    }

    private static long Priority(int held, int rack) => ((long)held << 32) | (uint)rack;

    /// <summary>Numbers the racks in ordinal name order and lays their machines out in serial order, a segment per rack.</summary>
    private void Index(List<Machine> free)
    {
        var names = new List<string>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var rackOf = new int[free.Count];
        for (var i = 0; i < free.Count; i++)
        {
            var name = free[i].Rack ?? string.Empty;
            if (!byName.TryGetValue(name, out var rack))
            {
                byName.Add(name, rack = names.Count);
                names.Add(name);
            }

            rackOf[i] = rack;
        }

        // Renumber so that rack numbers follow the names' ordinal order.
        var order = names.ToArray();
        var numbers = new int[order.Length];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = i;
        }

        Array.Sort(order, numbers, StringComparer.Ordinal);
        var renumber = new int[order.Length];
        for (var i = 0; i < numbers.Length; i++)
        {
            renumber[numbers[i]] = i;
            byName[order[i]] = i;
        }

        // Counting sort into one array, a segment per rack, keeping the inventory's order within a rack.
        next = new int[order.Length];
        end = new int[order.Length];
        held = new int[order.Length];
        for (var i = 0; i < rackOf.Length; i++)
        {
            end[rackOf[i] = renumber[rackOf[i]]]++;
        }

        for (int rack = 0, start = 0; rack < end.Length; rack++)
        {
            next[rack] = start;
            start += end[rack];
            end[rack] = next[rack];
        }

        machines = new Machine[free.Count];
        for (var i = 0; i < free.Count; i++)
        {
            machines[end[rackOf[i]]++] = free[i];
        }

        for (var rack = 0; rack < end.Length; rack++)
        {
            SortBySerial(machines.AsSpan(next[rack], end[rack] - next[rack]));
        }

        rackIndex = byName;
    }

    /// <summary>Sorts by serial; the inventory usually lists machines in serial order already, which one linear check confirms.</summary>
    internal static void SortBySerial(Span<Machine> machines)
    {
        for (var i = 1; i < machines.Length; i++)
        {
            if (string.CompareOrdinal(machines[i - 1].HardwareName, machines[i].HardwareName) > 0)
            {
                machines.Sort(static (a, b) => string.CompareOrdinal(a.HardwareName, b.HardwareName));
                return;
            }
        }
    }
}
