using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Secrets;
using Fleet.Providers.Physical.Power.Ipmi;
using Fleet.Providers.Physical.Power.Redfish;

namespace Fleet.Providers.Physical.Power;

/// <summary>A site's BMC driver and the source of its install/sanitize completions.</summary>
public sealed record SiteHardware(IPowerDriver Power, IBootTaskCompletions Completions);

/// <summary>
/// What real BMC sites need to install: where secret references are resolved, the drivers' options,
/// and the state database's boot tasks, through which the installers' completions arrive.
/// </summary>
public sealed record RealHardware(string FleetDirectory, Func<string, string?> Environment, IBootTaskStore BootTasks)
{
    public IpmiOptions Ipmi { get; init; } = IpmiOptions.Default;

    public RedfishOptions Redfish { get; init; } = RedfishOptions.Default;
}

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
    /// failures. <c>ipmi</c> and <c>redfish</c> sites get their real driver (<see cref="Control"/>, with
    /// <paramref name="real"/>'s credentials) and their installers' completions through the state
    /// database (<see cref="DbBootTaskCompletions"/>), which <c>fleetctl serve</c> records. Every
    /// site's errors are reported at once.
    /// </summary>
    public static PowerDrivers FromFleet(FleetSpec fleet, RealHardware real, TimeProvider clock, int seed)
    {
        var diagnostics = new List<Diagnostic>();
        var sites = ImmutableDictionary.CreateBuilder<string, SiteHardware>(StringComparer.Ordinal);
        var completions = new DbBootTaskCompletions(real.BootTasks, clock);
        foreach (var site in fleet.Sites)
        {
            if (site.Power().Driver != PowerSpec.Simulated)
            {
                try
                {
                    sites[site.Name] = new SiteHardware(Control(site, real.FleetDirectory, real.Environment, real.Ipmi, real.Redfish, clock), completions);
                }
                catch (FleetException e)
                {
                    diagnostics.AddRange(e.Diagnostics);
                }

                continue;
            }

            var defaults = SimulatedSiteOptions.Default;
            var options = new SimulatedSiteOptions(
                site.Power().InstallSeconds is { } install ? TimeSpan.FromSeconds(install) : defaults.InstallTime,
                site.Power().RecycleSeconds is { } recycle ? TimeSpan.FromSeconds(recycle) : defaults.RecycleTime,
                site.Power().FailureRate ?? defaults.FailureRate,
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

    /// <summary>
    /// The driver that controls the real machines of <paramref name="site"/> directly (<c>fleetctl
    /// power</c>), with the site's credentials: the password is read from its reference
    /// (<c>env:NAME</c> or <c>file:PATH</c>, relative to <paramref name="fleetDirectory"/>) now, and
    /// errors point at the field in fleet.yaml. A simulated site has nothing to control. A redfish
    /// driver owns its HTTP connections: the caller disposes it when done.
    /// </summary>
    public static IPowerDriver Control(SiteSpec site, string fleetDirectory, Func<string, string?> environment, IpmiOptions ipmi, RedfishOptions redfish, TimeProvider clock)
    {
        var power = site.Power();
        return power.Driver switch
        {
            PowerSpec.Ipmi => new IpmiPowerDriver(IpmiCredentialsOf(site, fleetDirectory, environment), ipmi, clock),
            PowerSpec.Redfish => RedfishPowerDriver.Create(power, fleetDirectory, environment, redfish, clock),
            PowerSpec.Simulated => throw new FleetException(power.Locations.Of("driver"),
                $"site {site.Name} uses the simulated power driver: it has no hardware to control"),
            _ => throw new FleetException(power.Locations.Of("driver"), $"site {site.Name}: unknown power driver {power.Driver}"),
        };
    }

    private static IpmiCredentials IpmiCredentialsOf(SiteSpec site, string fleetDirectory, Func<string, string?> environment)
    {
        var power = site.Power();
        var missing = new[] { ("username", power.Username), ("password", power.PasswordRef) }.Where(f => f.Item2 is null).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
        {
            throw new FleetException(power.Locations.Document, $"site {site.Name}: the ipmi driver needs {string.Join(" and ", missing)} in the site's power section");
        }

        var password = SecretReference.Read(power.PasswordRef!, fleetDirectory, environment, power.Locations.Of("password")).TrimEnd('\r', '\n');
        return IpmiCredentials.Problem(power.Username!, password) is { } problem
            ? throw new FleetException(power.Locations.Of(problem.Field), $"site {site.Name}: {problem.Message}")
            : new IpmiCredentials(power.Username!, password);
    }

    /// <summary>A per-site seed that is the same in every process (string.GetHashCode is not).</summary>
    private static int StableSeed(int seed, string site) => site.Aggregate(seed, (h, c) => unchecked((h * 31) + c));
}
