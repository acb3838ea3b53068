using Fleet.Engine.Providers;

namespace Fleet.Engine.Model;

/// <summary>A <c>kind: Role</c>: what a machine does, who owns it, which OS image it runs.</summary>
public sealed record RoleSpec(
    string Name,
    string? Owner,
    string Image,
    FieldLocations Locations)
{
    /// <summary>The provider fields written on this role (records it publishes), as their providers read them.</summary>
    public ProviderConfigs Fields { get; init; } = ProviderConfigs.Empty;
}
