using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Providers.Physical.Power;
using Fleet.Providers.Physical.Power.Ipmi;
using Fleet.Providers.Physical.Power.Redfish;
using Fleet.Tests.Shared;

namespace Fleet.Providers.Physical.Tests.Power;

/// <summary>Which driver <c>fleetctl power</c> gets for a site, and how a site that cannot give one is reported.</summary>
public sealed class PowerDriversControlTests : IDisposable
{
    private static readonly SourceLocation Power = new("fleet.yaml", 8, 12);
    private static readonly SourceLocation Driver = new("fleet.yaml", 8, 22);
    private static readonly SourceLocation Username = new("fleet.yaml", 8, 44);
    private static readonly SourceLocation Password = new("fleet.yaml", 8, 64);

    private readonly string directory = Directory.CreateTempSubdirectory("fleet-power-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void An_ipmi_site_gets_the_ipmi_driver_with_a_password_from_a_file_without_its_newline()
    {
        // The longest password IPMI v2.0 allows: with its newline it would be refused as too long.
        File.WriteAllText(Path.Combine(directory, "bmc.pw"), "01234567890123456789\n");

        var driver = Control(Site(PowerSpec.Ipmi, "admin", "file:bmc.pw"));

        Assert.IsType<IpmiPowerDriver>(driver);
        Assert.True(driver.IsRealHardware);
    }

    [Fact]
    public void A_redfish_site_gets_the_redfish_driver_with_its_password_reference_read()
    {
        File.WriteAllText(Path.Combine(directory, "bmc.pw"), "secret\n");

        var driver = Control(Site(PowerSpec.Redfish, "admin", "file:bmc.pw"));

        Assert.IsType<RedfishPowerDriver>(driver);
        Assert.True(driver.IsRealHardware);
        ((IDisposable)driver).Dispose();
    }

    [Fact]
    public void A_simulated_site_is_refused_at_its_driver()
    {
        var error = Assert.Throws<FleetException>(() => Control(Site(PowerSpec.Simulated, null, null)));

        Assert.Equal("fleet.yaml:8:22: error: site lon uses the simulated power driver: it has no hardware to control", error.Diagnostics.Single().ToString());
    }

    [Fact]
    public void Missing_credentials_and_ones_ipmi_cannot_carry_are_errors_at_their_fields_without_the_password()
    {
        var missing = Assert.Throws<FleetException>(() => Control(Site(PowerSpec.Ipmi, null, null)));
        var unset = Assert.Throws<FleetException>(() => Control(Site(PowerSpec.Ipmi, "admin", "env:NOT_SET")));
        var tooLong = Assert.Throws<FleetException>(() => Control(Site(PowerSpec.Ipmi, "admin", "env:LONG")));
        var longName = Assert.Throws<FleetException>(() => Control(Site(PowerSpec.Ipmi, "a-very-long-user-name", "env:LONG")));

        Assert.Equal("fleet.yaml:8:12: error: site lon: the ipmi driver needs username and password in the site's power section", missing.Diagnostics.Single().ToString());
        Assert.Equal("fleet.yaml:8:64: error: the environment variable NOT_SET (from 'env:NOT_SET') is not set", unset.Diagnostics.Single().ToString());
        Assert.Equal("fleet.yaml:8:64: error: site lon: an IPMI v2.0 password has at most 20 bytes", tooLong.Diagnostics.Single().ToString());
        Assert.Equal("fleet.yaml:8:44: error: site lon: an IPMI user name has 1 to 16 bytes", longName.Diagnostics.Single().ToString());
        Assert.DoesNotContain("0123456789", tooLong.ToString(), StringComparison.Ordinal);
    }

    private IPowerDriver Control(SiteSpec site) =>
        PowerDrivers.Control(site, directory, name => name == "LONG" ? "0123456789012345678901" : null, IpmiOptions.Default, RedfishOptions.Default, TimeProvider.System);

    private static SiteSpec Site(string driver, string? username, string? password)
    {
        var fields = ImmutableDictionary<string, SourceLocation>.Empty.Add("driver", Driver);
        fields = username is null ? fields : fields.Add("username", Username);
        fields = password is null ? fields : fields.Add("password", Password);
        var power = new PowerSpec(driver, null, null, null, username, password, new FieldLocations(Power, fields));
        return TestModel.NewSite("lon", "lon.example.net", ["10.1.0.0/16"], power, FieldLocations.At(new SourceLocation("fleet.yaml", 5, 5)));
    }
}
