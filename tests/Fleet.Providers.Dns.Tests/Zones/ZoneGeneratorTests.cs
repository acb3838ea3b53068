using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Zones;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Zones;

public sealed class ZoneGeneratorTests
{
    internal static DesiredState Acme() => Desired(
        [Site("lon", "lon.acme.net", "10.1.0.0/16"), Site("sto", "sto.acme.net", "10.2.0.0/23", "2001:db8:1::/48")],
        [Role("fancydb", new SrvSpec("_fancydb._tcp", 5432, 0, 0, new SourceLocation("roles/fancydb.yaml", 6, 9))), Role("web")],
        [Zone("lon.acme.net",
            Record("www", "CNAME", "lb.lon.acme.net.", line: 5),
            Record("lb", "A", "10.1.255.1", line: 6),
            Record("@", "MX", "10 mail.acme.net.", line: 7),
            Record("@", "TXT", "v=spf1 -all", line: 8, ttl: 3600),
            Record("@", "CAA", "0 issue letsencrypt.org", line: 9))]);

    internal static Machine[] AcmeMachines() =>
    [
        Machine("SN0002", "lon", "lon-fancydb-bbbbb", "10.1.0.6", pool: "fancydb-lon", role: "fancydb"),
        Machine("SN0001", "lon", "lon-fancydb-aaaaa", "10.1.0.5", pool: "fancydb-lon", role: "fancydb"),
        Machine("SN0003", "lon", "lon-web-ccccc", "10.1.1.7", MachineState.Installing, pool: "web-lon", role: "web"),
        Machine("SN0004", "lon", null, null, MachineState.Available),
        Machine("SN0005", "sto", "sto-web-ddddd", "10.2.1.9", pool: "web-sto", role: "web"),
        Machine("SN0006", "sto", "sto-web-eeeee", "2001:db8:1::10", pool: "web-sto", role: "web"),
        Machine("SN0007", "gone", "gone-web-fffff", "10.9.0.1"),
    ];

    internal static ZoneData Find(ZoneGeneration generation, string name) => generation.Zones.Single(z => z.Name == name);

    [Fact]
    public void Derives_a_forward_zone_per_site_and_the_reverse_zones_covering_its_networks()
    {
        var generation = ZoneGenerator.Generate(Acme(), AcmeMachines(), ZoneTemplates.BuiltIn);

        Assert.Empty(generation.Diagnostics);
        Assert.Equal(
            ["lon.acme.net.", "sto.acme.net.", "1.10.in-addr.arpa.", "0.2.10.in-addr.arpa.", "1.2.10.in-addr.arpa.", "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."],
            generation.Zones.Select(z => z.Name));
        Assert.Equal("1.10.in-addr.arpa.zone", Find(generation, "1.10.in-addr.arpa.").FileName);
    }

    [Fact]
    public void Forward_zone_has_hosts_pool_round_robin_of_in_use_machines_srv_and_static_records()
    {
        var lon = Find(ZoneGenerator.Generate(Acme(), AcmeMachines(), ZoneTemplates.BuiltIn), "lon.acme.net.");
        var lines = lon.AllRecords().Select(r => r.ToString()).ToArray();

        Assert.Contains("lon-web-ccccc.lon.acme.net. 300 A 10.1.1.7", lines);
        Assert.Contains("fancydb-lon.lon.acme.net. 300 A 10.1.0.5", lines);
        Assert.Contains("fancydb-lon.lon.acme.net. 300 A 10.1.0.6", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("web-lon.", StringComparison.Ordinal));
        Assert.Contains("_fancydb._tcp.lon.acme.net. 300 SRV 0 0 5432 lon-fancydb-aaaaa.lon.acme.net.", lines);
        Assert.Contains("www.lon.acme.net. 300 CNAME lb.lon.acme.net.", lines);
        Assert.Contains("lon.acme.net. 3600 TXT \"v=spf1 -all\"", lines);
        Assert.Equal("lon.acme.net. 300 NS ns1.acme.net.", lines[0]);
        Assert.Empty(ZoneValidator.Validate(lon));
    }

    [Fact]
    public void Reverse_zones_get_a_ptr_for_every_addressed_machine_in_the_most_specific_zone()
    {
        var generation = ZoneGenerator.Generate(Acme(), AcmeMachines(), ZoneTemplates.BuiltIn);

        Assert.Equal(
            ["5.0.1.10.in-addr.arpa. 300 PTR lon-fancydb-aaaaa.lon.acme.net.", "6.0.1.10.in-addr.arpa. 300 PTR lon-fancydb-bbbbb.lon.acme.net.", "7.1.1.10.in-addr.arpa. 300 PTR lon-web-ccccc.lon.acme.net."],
            Find(generation, "1.10.in-addr.arpa.").Records.Select(r => r.ToString()));
        Assert.Empty(Find(generation, "0.2.10.in-addr.arpa.").Records);
        Assert.Equal(["9.1.2.10.in-addr.arpa. 300 PTR sto-web-ddddd.sto.acme.net."], Find(generation, "1.2.10.in-addr.arpa.").Records.Select(r => r.ToString()));
        Assert.Equal(
            ["0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 300 PTR sto-web-eeeee.sto.acme.net."],
            Find(generation, "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.").Records.Select(r => r.ToString()));
    }

    [Fact]
    public void Output_does_not_depend_on_inventory_order()
    {
        var renderer = new ZoneRenderer();
        string RenderAll(IEnumerable<Machine> machines) => string.Join("\n", ZoneGenerator.Generate(Acme(), machines, ZoneTemplates.BuiltIn)
            .Zones.Select(z => renderer.Render(z with { Serial = 2026010101 })));

        Assert.Equal(RenderAll(AcmeMachines()), RenderAll(AcmeMachines().Reverse()));
    }

    [Fact]
    public void Renders_the_default_bind_zone_files()
    {
        var generation = ZoneGenerator.Generate(Acme(), AcmeMachines(), ZoneTemplates.BuiltIn);
        var renderer = new ZoneRenderer();

        Baseline.Match("lon.acme.net.zone", renderer.Render(Find(generation, "lon.acme.net.") with { Serial = 2026010101 }));
        Baseline.Match("1.10.in-addr.arpa.zone", renderer.Render(Find(generation, "1.10.in-addr.arpa.") with { Serial = 2026010101 }));
    }

    [Fact]
    public async Task Rendered_zones_load_in_named_checkzone()
    {
        Servers.Require(NamedCheckZone.IsInstalled, "named-checkzone");
        var generation = ZoneGenerator.Generate(Acme(), AcmeMachines(), ZoneTemplates.BuiltIn);
        var renderer = new ZoneRenderer();
        foreach (var zone in generation.Zones)
        {
            var problems = await NamedCheckZone.CheckAsync(zone.Name, renderer.Render(zone with { Serial = 1 }), Servers.Timeout());
            Assert.Empty(problems!);
        }
    }

    [Theory]
    [InlineData("www\nevil", "A", "10.0.0.1")]
    [InlineData("www", "A", "10.0.0.1\nevil IN A 10.6.6.6")]
    [InlineData("www", "TXT", "a\"\nevil IN A 10.6.6.6")]
    [InlineData("www", "CNAME", "x.acme.net. ; comment")]
    [InlineData("w w", "A", "10.0.0.1")]
    [InlineData("www", "SRV", "0 0 5432 $ORIGIN")]
    [InlineData("www", "HINFO", "x y")]
    [InlineData("www", "CAA", "0 issue \"a\" \"b\"")]
    [InlineData("www", "A", "010.0.0.1")]
    public void Static_records_that_could_inject_into_a_zone_file_are_diagnostics_with_their_location(string name, string type, string value)
    {
        var desired = Desired([Site("lon", "lon.acme.net", "10.1.0.0/16")], zones: [Zone("lon.acme.net", Record(name, type, value, line: 12))]);

        var generation = ZoneGenerator.Generate(desired, [], ZoneTemplates.BuiltIn);

        var error = Assert.Single(generation.Diagnostics);
        Assert.Equal(new SourceLocation("zones/static.yaml", 12, 7), error.Location);
        Assert.StartsWith("zone lon.acme.net: record", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Find(generation, "lon.acme.net.").Records, r => r.Name.StartsWith("www", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hostname_from_the_inventory_that_is_not_a_label_is_refused()
    {
        var desired = Desired([Site("lon", "lon.acme.net", "10.1.0.0/16")]);

        var generation = ZoneGenerator.Generate(desired, [Machine("SN9", "lon", "evil host\n@ IN NS x.", "10.1.0.9")], ZoneTemplates.BuiltIn);

        Assert.Contains(generation.Diagnostics, d => d.Message.StartsWith("machine SN9: hostname", StringComparison.Ordinal));
        Assert.Empty(Find(generation, "lon.acme.net.").Records);
    }

    [Fact]
    public void A_zone_document_for_a_zone_no_site_derives_is_an_error()
    {
        var desired = Desired([Site("lon", "lon.acme.net", "10.1.0.0/16")], zones: [Zone("other.net", Record("www", "A", "10.0.0.1"))]);

        var error = Assert.Single(ZoneGenerator.Generate(desired, [], ZoneTemplates.BuiltIn).Diagnostics);

        Assert.Equal("zones/other.net.yaml", error.Location.File);
        Assert.Contains("zone other.net is not managed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.0.0/16", new[] { "1.10.in-addr.arpa." })]
    [InlineData("10.0.0.0/8", new[] { "10.in-addr.arpa." })]
    [InlineData("10.2.0.0/23", new[] { "0.2.10.in-addr.arpa.", "1.2.10.in-addr.arpa." })]
    [InlineData("192.168.4.0/22", new[] { "4.168.192.in-addr.arpa.", "5.168.192.in-addr.arpa.", "6.168.192.in-addr.arpa.", "7.168.192.in-addr.arpa." })]
    [InlineData("2001:db8::/32", new[] { "8.b.d.0.1.0.0.2.ip6.arpa." })]
    [InlineData("2001:db8::/31", new[] { "8.b.d.0.1.0.0.2.ip6.arpa.", "9.b.d.0.1.0.0.2.ip6.arpa." })]
    public void Networks_are_covered_by_octet_or_nibble_aligned_reverse_zones(string network, string[] expected)
    {
        var (zones, error) = ReverseZones.Cover(network);

        Assert.Null(error);
        Assert.Equal(expected, zones);
    }

    [Theory]
    [InlineData("10.0.0.0/9", "would need 128 reverse zones")]
    [InlineData("10.1.0.1/16", "has host bits set; did you mean 10.1.0.0/16?")]
    [InlineData("10.1.0.0", "is not a network in CIDR notation")]
    [InlineData("10.0.0.0/4", "the prefix length must be from 8 to 32")]
    public void Networks_that_cannot_be_covered_are_site_diagnostics(string network, string message)
    {
        var desired = Desired([Site("lon", "lon.acme.net", network)]);

        var error = Assert.Single(ZoneGenerator.Generate(desired, [], ZoneTemplates.BuiltIn).Diagnostics);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("site lon: ", error.Message, StringComparison.Ordinal);
    }
}
