namespace Fleet.Engine.Model;

public enum PoolBackend
{
    Physical,
    Gcp,
}

/// <summary>
/// A <c>kind: Pool</c>: N machines of a role. Physical pools name a site and a hardware type; GCP
/// pools name a zone and a machine type and become a managed instance group.
/// </summary>
public sealed record PoolSpec(
    string Name,
    string Role,
    PoolBackend Backend,
    string? Site,
    string? Hardware,
    GcpPoolSpec? Gcp,
    int Size,
    bool Protect,
    FieldLocations Locations)
{
    /// <summary>A per-pool override of the fleet's reconcile mode: <c>report</c> keeps reconcile from applying this pool.</summary>
    public string? Reconcile { get; init; }
}

public sealed record GcpPoolSpec(string Zone, string MachineType);
