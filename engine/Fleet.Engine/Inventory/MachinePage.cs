using System.Collections.Immutable;

namespace Fleet.Engine.Inventory;

/// <summary>
/// One page of machines for a table (the console's machines page): <see cref="Filter"/> as in a
/// listing, <see cref="Search"/> the start of a serial (in any case) or of a hostname, and keyset
/// paging by serial: the page starts after <see cref="After"/> (from the start when null). The store
/// runs all of it in SQL, so a page costs the same at 100 machines and at 100,000.
/// </summary>
public sealed record MachinePageQuery(MachineFilter Filter, string? Search = null, string? After = null, int Limit = 50)
{
    public const int MaxLimit = 500;
}

/// <summary>
/// A page of machines ordered by serial, how many match the query in all, and the serial to pass as
/// <see cref="MachinePageQuery.After"/> for the next page (null on the last).
/// </summary>
public sealed record MachinePage(ImmutableArray<Machine> Machines, long Total, string? Next);

/// <summary>How many machines share one site, state, pool, hardware type and role.</summary>
public sealed record MachineCount(string Site, MachineState State, string? Pool, string HardwareType, string? Role, long Count);
