using System.Collections.Immutable;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns;
using Fleet.Providers.Gcp;
using Fleet.Providers.Physical;

namespace Fleet.Tests.Shared;

/// <summary>The provider definitions fleetctl ships with (as cmd/Fleetctl composes them), for tests that load fleet repositories.</summary>
internal static class StandardProviders
{
    public static ProviderCatalog Catalog { get; } = new([PhysicalDefinition.Instance, GcpDefinition.Instance, DnsDefinition.Instance]);

    public static FleetLoader Loader { get; } = new(Catalog);
}

/// <summary>Model records built the way tests wrote them before providers owned their fields.</summary>
internal static class TestModel
{
    public static FleetSpec NewFleet(
        string name, string? inventory, ImmutableArray<SiteSpec> sites, ImmutableArray<HardwareSpec> hardware,
        DnsSpec? dns, GcpSpec? gcp, SafetySpec safety, FieldLocations locations)
    {
        var sections = ProviderConfigs.Empty;
        sections = dns is null ? sections : sections.With(DnsDefinition.Section, dns);
        sections = gcp is null ? sections : sections.With(GcpDefinition.Section, gcp);
        return new(name, inventory, sites, hardware, safety, locations) { Sections = sections };
    }

    public static SiteSpec NewSite(string name, string domain, ImmutableArray<string> networks, PowerSpec power, FieldLocations locations) =>
        new(name, domain, networks, locations) { Fields = ProviderConfigs.Empty.With(PhysicalDefinition.PowerField, power) };

    public static PoolSpec NewPool(string name, string role, string backend, string? site, string? hardware, GcpPoolSpec? gcp, int size, bool protect, FieldLocations locations) =>
        new(name, role, backend, size, protect, locations) { Config = backend == GcpDefinition.Backend ? gcp ?? (PoolConfig)NoPoolConfig.Instance : new PhysicalPoolSpec(site, hardware) };

    public static RoleSpec WithDns(this RoleSpec role, RoleDnsSpec dns) =>
        role with { Fields = role.Fields.With(DnsDefinition.Section, dns) };
}

/// <summary>Edits of provider fields, as tests make them.</summary>
internal static class TestEdits
{
    public static FleetSpec WithDns(this FleetSpec fleet, DnsSpec dns) => fleet with { Sections = fleet.Sections.With(DnsDefinition.Section, dns) };

    public static FleetSpec WithGcp(this FleetSpec fleet, GcpSpec? gcp) =>
        fleet with { Sections = gcp is null ? new(fleet.Sections.ByName.Remove(GcpDefinition.Section)) : fleet.Sections.With(GcpDefinition.Section, gcp) };

    public static SiteSpec WithPower(this SiteSpec site, PowerSpec power) => site with { Fields = site.Fields.With(PhysicalDefinition.PowerField, power) };

    public static PoolSpec WithPlacement(this PoolSpec pool, string? site, string? hardware) => pool with { Config = new PhysicalPoolSpec(site, hardware) };
}
