using System.Collections.Immutable;
using Fleet.Engine.Providers;

namespace Fleet.Engine.Model;

/// <summary>
/// The <c>kind: Fleet</c> document in <c>fleet.yaml</c>. The sections providers declare (DNS, a cloud)
/// are in <see cref="Sections"/>, as each provider read them.
/// </summary>
public sealed record FleetSpec(
    string Name,
    string? Inventory,
    ImmutableArray<SiteSpec> Sites,
    ImmutableArray<HardwareSpec> Hardware,
    SafetySpec Safety,
    FieldLocations Locations)
{
    /// <summary><c>owners:</c> team → code-host handle, for <c>fleetctl codeowners</c>.</summary>
    public ImmutableSortedDictionary<string, string> Owners { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public GitOpsSpec? GitOps { get; init; }

    public ReconcileSpec Reconcile { get; init; } = ReconcileSpec.Default;

    /// <summary>The provider sections written in fleet.yaml, by section name, as their providers read them.</summary>
    public ProviderConfigs Sections { get; init; } = ProviderConfigs.Empty;
}

/// <summary>
/// A datacenter: its forward DNS domain and the networks its reverse zones derive from. Fields that
/// providers declare for sites (how machines are powered) are in <see cref="Fields"/>.
/// </summary>
public sealed record SiteSpec(
    string Name,
    string Domain,
    ImmutableArray<string> Networks,
    FieldLocations Locations)
{
    /// <summary>The provider fields written on this site, by field name, as their providers read them.</summary>
    public ProviderConfigs Fields { get; init; } = ProviderConfigs.Empty;

    /// <summary>
    /// <c>recon: { autoApprove: true }</c>: machines that register through serve are available at once
    /// instead of waiting as new for <c>fleetctl inventory approve</c>. Only for provisioning networks
    /// no stranger can reach.
    /// </summary>
    public bool AutoApprove { get; init; }
}

public sealed record HardwareSpec(string Name, FieldLocations Locations);

public sealed record SafetySpec(int MaxRecyclePercent, FieldLocations Locations)
{
    public const int DefaultMaxRecyclePercent = 25;
}

/// <summary>Provider fields of a document, by field name (<c>gcp</c>, <c>power</c>), each as its provider read it.</summary>
public sealed record ProviderConfigs(ImmutableSortedDictionary<string, ProviderConfig> ByName)
{
    public static ProviderConfigs Empty { get; } = new(ImmutableSortedDictionary<string, ProviderConfig>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>The field <paramref name="name"/> as its provider's record type, or null when it is not written.</summary>
    public T? Get<T>(string name)
        where T : ProviderConfig => ByName.GetValueOrDefault(name) as T;

    public ProviderConfigs With(string name, ProviderConfig config) => new(ByName.SetItem(name, config));

    public bool Equals(ProviderConfigs? other) => other is not null && ByName.Count == other.ByName.Count && ByName.All(e => other.ByName.TryGetValue(e.Key, out var v) && Equals(v, e.Value));

    public override int GetHashCode() => ByName.Count;
}
