using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;

namespace Fleet.Providers.Physical.Power;

/// <summary>A site's BMC driver and the source of its install/sanitize completions.</summary>
public sealed record SiteHardware(IPowerDriver Power, IBootTaskCompletions Completions);

/// <summary>The power driver of every site, built from fleet.yaml's <c>sites[].power</c>.</summary>
public sealed class PowerDrivers(ImmutableDictionary<string, SiteHardware> sites)
{
    public SiteHardware ForSite(string site) =>
        sites.TryGetValue(site, out var hardware) ? hardware : throw new FleetException($"site {site} is not declared in fleet.yaml, so it has no power driver");

    /// <summary>Whether any site pretends (simulated driver): apply says so in its output.</summary>
    public bool AnySimulated => sites.Values.Any(s => !s.Power.IsRealHardware);

    /// <summary>
    /// One driver per site. <c>simulated</c> takes its timings and failure rate from the site
    /// (defaults: 2 s install, 1 s recycle, no failures) and <paramref name="seed"/> for reproducible
    /// failures; real BMC drivers are refused with a clear message until they are part of this build.
    /// </summary>
    public static PowerDrivers FromFleet(FleetSpec fleet, TimeProvider clock, int seed)
    {
        var diagnostics = new List<Diagnostic>();
        var sites = ImmutableDictionary.CreateBuilder<string, SiteHardware>(StringComparer.Ordinal);
        foreach (var site in fleet.Sites)
        {
            if (site.Power.Driver != PowerSpec.Simulated)
            {
                diagnostics.Add(Diagnostic.Error(site.Power.Locations.Of("driver"),
                    $"site {site.Name}: power driver {site.Power.Driver} cannot run installs in this version of fleetctl; use driver: simulated to try fleetctl out"));
                continue;
            }

            var defaults = SimulatedSiteOptions.Default;
            var options = new SimulatedSiteOptions(
                site.Power.InstallSeconds is { } install ? TimeSpan.FromSeconds(install) : defaults.InstallTime,
                site.Power.RecycleSeconds is { } recycle ? TimeSpan.FromSeconds(recycle) : defaults.RecycleTime,
                site.Power.FailureRate ?? defaults.FailureRate,
                StableSeed(seed, site.Name));
            var datacenter = new SimulatedDatacenter(options, clock);
            sites[site.Name] = new SiteHardware(datacenter, datacenter);
        }

        if (diagnostics.Count > 0)
        {
            throw new FleetException(diagnostics);
        }

        return new PowerDrivers(sites.ToImmutable());
    }

    /// <summary>A per-site seed that is the same in every process (string.GetHashCode is not).</summary>
    private static int StableSeed(int seed, string site) => site.Aggregate(seed, (h, c) => unchecked((h * 31) + c));
}
