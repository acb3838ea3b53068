using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Gcp.Planning;

/// <summary>The project's managed instance groups, and the inventory's pool records (which remember deletion protection).</summary>
public sealed record GcpSnapshot(ImmutableArray<GroupState> Groups, ImmutableArray<PoolRecord> Pools) : ProviderSnapshot
{
    public static GcpSnapshot Empty { get; } = new([], []);
}

/// <summary>
/// One managed instance group as planning sees it: its template's name, its target size, and the
/// fleet whose marker it carries (null: not managed by fleetctl).
/// </summary>
public sealed record GroupState(string Name, string Zone, string Template, int TargetSize, string? ManagedBy);
