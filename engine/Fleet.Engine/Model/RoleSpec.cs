namespace Fleet.Engine.Model;

/// <summary>A <c>kind: Role</c>: what a machine does, who owns it, which OS image it runs.</summary>
public sealed record RoleSpec(
    string Name,
    string? Owner,
    string Image,
    FieldLocations Locations);
