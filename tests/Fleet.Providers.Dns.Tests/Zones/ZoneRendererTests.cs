using System.Text;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Providers.Dns;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Zones;
using Fleet.Tests.Shared;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Zones;

public sealed class ZoneRendererTests
{
    private sealed class MemorySource(Dictionary<string, string> files) : IFleetSource
    {
        public string Description => "memory";

        public IReadOnlyList<string> ListFiles() => [.. files.Keys.Order(StringComparer.Ordinal)];

        public bool Exists(string path) => files.ContainsKey(path);

        public long GetSize(string path) => files[path].Length;

        public byte[] ReadAllBytes(string path) => Encoding.UTF8.GetBytes(files[path]);
    }

    private static ZoneData BigZone(int count, ZoneTemplateRef template)
    {
        var machines = Enumerable.Range(0, count).Select(i => Machine($"SN{i}", "lon", $"host-{i:D6}", $"10.1.{i / 250}.{i % 250 + 1}", Engine.Inventory.MachineState.Installing));
        var zone = ZoneGenerator.Generate(Desired([Site("lon", "lon.acme.net")]), machines, ZoneTemplates.BuiltIn).Zones.Single();
        return zone with { Template = template };
    }

    [Fact]
    public void Large_zones_are_rendered_whole_past_scriban_default_loop_and_output_limits()
    {
        var zone = BigZone(2_000, new ZoneTemplateRef("wide.sbn", "{{ for r in zone.records }}{{ r.fqdn | string.pad_right 600 }}|\n{{ end }}"));

        var text = new ZoneRenderer().Render(zone);

        Assert.Equal(2_000 * 602, text.Length);
        Assert.EndsWith("host-001999.lon.acme.net." + new string(' ', 600 - 25) + "|\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fleet_template_overrides_the_default_and_a_zone_template_overrides_the_fleet_one()
    {
        var source = new MemorySource(new()
        {
            ["templates/fleet.sbn"] = "fleet {{ zone.name }} {{ zone.serial }}\n",
            ["templates/lon.sbn"] = "{{ for r in zone.records }}{{ r.fqdn }}={{ r.value }};{{ end }}",
        });
        var desired = Desired([Site("lon", "lon.acme.net"), Site("sto", "sto.acme.net")], zones: [Zone("lon.acme.net") with { Template = "templates/lon.sbn" }]);
        desired = desired with { Fleet = desired.Fleet.WithDns(desired.Fleet.Dns()! with { Template = "templates/fleet.sbn" }) };

        var (templates, diagnostics) = ZoneTemplates.Load(desired, source);
        var zones = ZoneGenerator.Generate(desired, [Machine("SN1", "lon", "lon-a", "10.1.0.1")], templates).Zones;
        var renderer = new ZoneRenderer();

        Assert.Empty(diagnostics);
        Assert.Equal("lon-a.lon.acme.net.=10.1.0.1;", renderer.Render(zones.Single(z => z.Name == "lon.acme.net.")));
        Assert.Equal("fleet sto.acme.net. 7\n", renderer.Render(zones.Single(z => z.Name == "sto.acme.net.") with { Serial = 7 }));
    }

    [Fact]
    public void A_template_with_a_syntax_error_is_a_diagnostic_at_its_line()
    {
        var source = new MemorySource(new() { ["zone.sbn"] = "$ORIGIN {{ zone.name }}\n{{ for r in zone.records }}\n" });
        var desired = Desired([Site("lon", "lon.acme.net")]);
        desired = desired with { Fleet = desired.Fleet.WithDns(desired.Fleet.Dns()! with { Template = "zone.sbn" }) };

        var (_, diagnostics) = ZoneTemplates.Load(desired, source);

        var error = Assert.Single(diagnostics);
        Assert.Equal("zone.sbn", error.Location.File);
        Assert.StartsWith("zone template: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_template_file_is_a_diagnostic_at_the_field()
    {
        var desired = Desired([Site("lon", "lon.acme.net")]);
        desired = desired with { Fleet = desired.Fleet.WithDns(desired.Fleet.Dns()! with { Template = "nope.sbn" }) };

        var error = Assert.Single(ZoneTemplates.Load(desired, new MemorySource([])).Diagnostics);

        Assert.Equal("template 'nope.sbn' not found in the fleet repository", error.Message);
    }

    [Fact]
    public void A_template_using_an_unknown_variable_fails_naming_the_zone()
    {
        var zone = BigZone(1, new ZoneTemplateRef("bad.sbn", "{{ zone.nam }}\n{{ undefined_thing }}"));

        var error = Assert.Throws<FleetException>(() => new ZoneRenderer().Render(zone));

        Assert.Contains("zone lon.acme.net.: template failed", error.Message, StringComparison.Ordinal);
        Assert.Equal("bad.sbn", error.Diagnostics[0].Location.File);
    }

    [Fact]
    public void A_runaway_template_loop_stops_with_an_error_instead_of_hanging()
    {
        var zone = BigZone(1, new ZoneTemplateRef("loop.sbn", "{{ while true }}x{{ end }}"));

        var error = Assert.Throws<FleetException>(() => new ZoneRenderer().Render(zone));

        Assert.Contains("template failed", error.Message, StringComparison.Ordinal);
    }
}
