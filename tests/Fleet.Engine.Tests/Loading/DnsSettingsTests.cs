using Fleet.Engine.Loading;
using Fleet.Providers.Dns;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Loading;

public sealed class DnsSettingsTests
{
    [Fact]
    public void Reads_push_primary_and_transfer_key_and_per_zone_template_and_limit()
    {
        using var fleet = new TempFleet()
            .Write("fleet.yaml", TempFleet.FleetYaml + """
                dns:
                  nameservers: [ns1.example.net.]
                  push: { method: rndc, zoneDir: /var/lib/zones, server: "127.0.0.1:953", keyFile: "env:RNDC_KEY", primary: "127.0.0.1:53", transferKey: "file:/etc/fleet/xfr.key" }

                """)
            .Write("zones/lon.yaml", """
                apiVersion: fleet/v1
                kind: Zone
                name: lon.example.net
                template: templates/lon.sbn
                maxChangePercent: 50
                records:
                  - { name: www, type: CNAME, value: lb.lon.example.net. }

                """);

        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory));

        var push = desired.Fleet.Dns()!.Push!;
        Assert.Equal(("127.0.0.1:53", "file:/etc/fleet/xfr.key"), (push.Primary, push.TransferKey));
        var zone = Assert.Single(desired.Zones);
        Assert.Equal(("templates/lon.sbn", 50), (zone.Template, zone.MaxChangePercent));
    }

    [Fact]
    public void A_transfer_key_written_in_the_yaml_is_refused_without_repeating_it()
    {
        using var fleet = new TempFleet()
            .Write("fleet.yaml", TempFleet.FleetYaml + """
                dns:
                  nameservers: [ns1.example.net.]
                  push: { method: directory, zoneDir: zones, transferKey: "hmac-sha256:c2VjcmV0" }

                """);

        var error = Assert.Single(StandardProviders.Loader.Load(new DirectorySource(fleet.Directory)).Diagnostics);

        Assert.Contains("field 'dns.push.transferKey' must be a reference env:NAME or file:PATH", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", error.ToString(), StringComparison.Ordinal);
    }
}
