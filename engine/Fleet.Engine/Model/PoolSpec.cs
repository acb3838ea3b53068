using Fleet.Engine.Providers;

namespace Fleet.Engine.Model;

/// <summary>
/// A <c>kind: Pool</c>: N machines of a role on a backend. The fields the backend adds (a site and a
/// hardware type; a cloud zone and machine type) are in <see cref="Config"/>, as the backend's
/// provider read them.
/// </summary>
public sealed record PoolSpec(
    string Name,
    string Role,
    string Backend,
    int Size,
    bool Protect,
    FieldLocations Locations)
{
    /// <summary>A per-pool override of the fleet's reconcile mode: <c>report</c> keeps reconcile from applying this pool.</summary>
    public ReconcileMode? Reconcile { get; init; }

    /// <summary>The backend's fields, as its provider read them.</summary>
    public PoolConfig Config { get; init; } = NoPoolConfig.Instance;

    /// <summary>The site the pool's machines are in, when its backend places pools on the fleet's sites.</summary>
    public string? Site => Config.Site;

    /// <summary>The hardware type of the pool's machines, when its backend places pools on the fleet's hardware.</summary>
    public string? Hardware => Config.Hardware;
}

/// <summary>The configuration of a pool whose backend adds no fields (or whose fields are not read yet).</summary>
public sealed record NoPoolConfig : PoolConfig
{
    public static NoPoolConfig Instance { get; } = new();

    public override IEnumerable<(string Field, object? Value)> Describe() => [];
}
