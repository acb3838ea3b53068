using System.Collections.Immutable;

namespace Fleet.Engine.Model;

/// <summary>Everything a fleet repository declares: the Fleet document and every Role, Pool and Zone.</summary>
public sealed record DesiredState(
    FleetSpec Fleet,
    ImmutableArray<RoleSpec> Roles,
    ImmutableArray<PoolSpec> Pools,
    ImmutableArray<ZoneSpec> Zones)
{
    public RoleSpec? FindRole(string name) => Roles.FirstOrDefault(r => r.Name == name);

    public PoolSpec? FindPool(string name) => Pools.FirstOrDefault(p => p.Name == name);

    public SiteSpec? FindSite(string name) => Fleet.Sites.FirstOrDefault(s => s.Name == name);
}
