using System.Collections.Immutable;

namespace Fleet.Engine.Model;

/// <summary>The <c>kind: Fleet</c> document in <c>fleet.yaml</c>.</summary>
public sealed record FleetSpec(
    string Name,
    string? Inventory,
    ImmutableArray<SiteSpec> Sites,
    ImmutableArray<HardwareSpec> Hardware,
    DnsSpec? Dns,
    GcpSpec? Gcp,
    SafetySpec Safety,
    FieldLocations Locations)
{
    /// <summary><c>owners:</c> team → code-host handle, for <c>fleetctl codeowners</c>.</summary>
    public ImmutableSortedDictionary<string, string> Owners { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public GitOpsSpec? GitOps { get; init; }

    public ReconcileSpec Reconcile { get; init; } = ReconcileSpec.Default;
}

/// <summary>A datacenter: its forward DNS domain, the networks its reverse zones derive from, its power driver.</summary>
public sealed record SiteSpec(
    string Name,
    string Domain,
    ImmutableArray<string> Networks,
    PowerSpec Power,
    FieldLocations Locations)
{
    /// <summary>
    /// <c>recon: { autoApprove: true }</c>: machines that register through serve are available at once
    /// instead of waiting as new for <c>fleetctl inventory approve</c>. Only for provisioning networks
    /// no stranger can reach.
    /// </summary>
    public bool AutoApprove { get; init; }
}

/// <summary>
/// How machines of a site are powered and booted. <c>ipmi</c> and <c>redfish</c> take credentials as
/// references (<c>env:NAME</c> or <c>file:PATH</c>), never values; <c>simulated</c> has no hardware
/// and takes timings and a failure rate.
/// </summary>
public sealed record PowerSpec(
    string Driver,
    double? InstallSeconds,
    double? RecycleSeconds,
    double? FailureRate,
    string? Username,
    string? PasswordRef,
    FieldLocations Locations)
{
    public const string Ipmi = "ipmi";
    public const string Redfish = "redfish";
    public const string Simulated = "simulated";

    /// <summary>
    /// Seconds an install attempt may run before it counts as failed, on any driver; null takes the
    /// default (60 minutes on real hardware, five times <see cref="InstallSeconds"/> when simulated).
    /// </summary>
    public double? InstallTimeoutSeconds { get; init; }

    /// <summary>Seconds a sanitize (recycle) attempt may run; null takes the default (30 minutes, or five times <see cref="RecycleSeconds"/>).</summary>
    public double? RecycleTimeoutSeconds { get; init; }

    /// <summary>
    /// redfish: a PEM file, relative to the fleet directory, of the CA or the BMC certificates the
    /// site's BMCs are trusted by, instead of the system store (BMCs serve self-signed certificates).
    /// </summary>
    public string? CaFile { get; init; }
}

public sealed record HardwareSpec(string Name, FieldLocations Locations);

public sealed record DnsSpec(
    ImmutableArray<string> Nameservers,
    int Ttl,
    string? Template,
    DnsPushSpec? Push,
    FieldLocations Locations);

/// <summary>How zones reach the name servers: <c>directory</c>, <c>rndc</c> or <c>rfc2136</c>. Keys are references.</summary>
public sealed record DnsPushSpec(
    string Method,
    string? ZoneDir,
    string? Server,
    string? KeyFile,
    FieldLocations Locations)
{
    /// <summary>
    /// The DNS address (<c>host:port</c>) serving the zones, read by AXFR for drift and serials when
    /// <see cref="Server"/> is not itself a DNS server (method <c>rndc</c> or <c>directory</c>).
    /// </summary>
    public string? Primary { get; init; }

    /// <summary>A TSIG key reference (<c>env:NAME</c> or <c>file:PATH</c>) for AXFR from <see cref="Primary"/>.</summary>
    public string? TransferKey { get; init; }

    public const string Directory = "directory";
    public const string Rndc = "rndc";
    public const string Rfc2136 = "rfc2136";
}

public sealed record GcpSpec(
    string Project,
    string Credentials,
    string? Endpoint,
    FieldLocations Locations);

public sealed record SafetySpec(int MaxRecyclePercent, FieldLocations Locations)
{
    public const int DefaultMaxRecyclePercent = 25;
}
