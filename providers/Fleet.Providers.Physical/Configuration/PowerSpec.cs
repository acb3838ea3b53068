using Fleet.Engine.Model;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Physical;

/// <summary>
/// <c>power:</c> of a site: how its machines are powered and booted. <c>ipmi</c> and <c>redfish</c>
/// take credentials as references (<c>env:NAME</c> or <c>file:PATH</c>), never values; <c>simulated</c>
/// has no hardware and takes timings and a failure rate. Each driver's fields are declared by its
/// plug-in (<see cref="PowerDriverPlugIns"/>).
/// </summary>
public sealed record PowerSpec(
    string Driver,
    double? InstallSeconds,
    double? RecycleSeconds,
    double? FailureRate,
    string? Username,
    string? PasswordRef,
    FieldLocations Locations) : ProviderConfig
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

    public override IEnumerable<(string Field, object? Value)> Describe() =>
    [
        ("driver", Driver),
        ("installSeconds", InstallSeconds),
        ("recycleSeconds", RecycleSeconds),
        ("failureRate", FailureRate),
        ("installTimeoutSeconds", InstallTimeoutSeconds),
        ("recycleTimeoutSeconds", RecycleTimeoutSeconds),
        ("caFile", CaFile),
    ];
}

/// <summary>The backend fields of a physical pool: the site its machines are in and their hardware type.</summary>
public sealed record PhysicalPoolSpec(string? PoolSite, string? PoolHardware) : PoolConfig
{
    public override string? Site => PoolSite;

    public override string? Hardware => PoolHardware;

    public override IEnumerable<(string Field, object? Value)> Describe() => [("site", PoolSite), ("hardware", PoolHardware)];
}

/// <summary>The physical provider's fields as the model holds them.</summary>
public static class PhysicalFields
{
    /// <summary>The site's <c>power:</c> (every site has one: the field is required).</summary>
    public static PowerSpec Power(this SiteSpec site) =>
        site.Fields.Get<PowerSpec>(PhysicalDefinition.PowerField) ?? throw new InvalidOperationException($"site {site.Name} has no power section");
}
