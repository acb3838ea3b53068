using Fleet.Engine.Loading;
using Fleet.Providers.Physical;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Tests.Shared;

namespace Fleet.Providers.Physical.Tests.Lifecycle;

public sealed class LifecycleOptionsTests
{
    [Fact]
    public void Each_site_has_its_own_timeouts_from_its_power_section_or_its_driver()
    {
        // acme: lon on IPMI, sto on Redfish with installTimeoutSeconds: 5400, nyc simulated at 30 s / 20 s.
        var fleet = StandardProviders.Loader.LoadOrThrow(new DirectorySource(Examples.Path("acme"))).Fleet;

        var options = LifecycleOptions.ForFleet(fleet);

        Assert.Equal((TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(30)), (options.At("lon").InstallTimeout, options.At("lon").RecycleTimeout));
        Assert.Equal((TimeSpan.FromMinutes(90), TimeSpan.FromMinutes(30)), (options.At("sto").InstallTimeout, options.At("sto").RecycleTimeout));
        Assert.Equal((TimeSpan.FromSeconds(150), TimeSpan.FromSeconds(100)), (options.At("nyc").InstallTimeout, options.At("nyc").RecycleTimeout));
    }

    [Fact]
    public void A_simulated_site_gets_at_least_five_seconds_unless_it_sets_its_own()
    {
        var quickstart = StandardProviders.Loader.LoadOrThrow(new DirectorySource(Examples.Path("quickstart"))).Fleet;
        var lon = quickstart.Sites.Single(s => s.Name == "lon");

        Assert.Equal(TimeSpan.FromSeconds(5), LifecycleOptions.ForSite(lon).InstallTimeout);
        var impatient = lon.WithPower(lon.Power() with { InstallTimeoutSeconds = 1, RecycleTimeoutSeconds = 2 });
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), (LifecycleOptions.ForSite(impatient).InstallTimeout, LifecycleOptions.ForSite(impatient).RecycleTimeout));
    }
}
