namespace Fleet.Engine.Inventory;

/// <summary>What an apply records of a pool: <see cref="Protected"/> survives removal of the pool's YAML.</summary>
public sealed record PoolUpdate(string Name, string Backend, string? Role, string? Image, bool Protected);
