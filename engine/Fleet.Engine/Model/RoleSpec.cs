using System.Collections.Immutable;

namespace Fleet.Engine.Model;

/// <summary>A <c>kind: Role</c>: what a machine does, who owns it, which OS image it runs.</summary>
public sealed record RoleSpec(
    string Name,
    string? Owner,
    string Image,
    FieldLocations Locations)
{
    /// <summary>Optional DNS records the role publishes for its in_use machines (<c>dns: { srv: [...] }</c>).</summary>
    public RoleDnsSpec? Dns { get; init; }
}

/// <summary>The <c>dns</c> block of a Role.</summary>
public sealed record RoleDnsSpec(ImmutableArray<SrvSpec> Srv);

/// <summary>
/// One SRV service of a role: <c>{ service: _fancydb._tcp, port: 5432 }</c> publishes
/// <c>_fancydb._tcp.&lt;site domain&gt;</c> pointing at every in_use machine of the role in that site.
/// </summary>
public sealed record SrvSpec(string Service, int Port, int Priority, int Weight, Diagnostics.SourceLocation Location);
