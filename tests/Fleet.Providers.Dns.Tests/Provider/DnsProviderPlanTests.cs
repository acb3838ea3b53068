using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Tests.Zones;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;
using Fleet.Providers.Physical.Planning;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Provider;

/// <summary>The DNS provider's pure plan function: zone changes from a snapshot and the physical changes planned before it.</summary>
public sealed class DnsProviderPlanTests
{
    private static ServedZone Served(ZoneData zone, uint serial) => new(zone.Name, serial, "ns1.acme.net. hostmaster.acme.net. 1 2 3 4 5", [.. zone.AllRecords()]);

    /// <summary>A snapshot where every zone is served exactly as the current inventory generates it.</summary>
    private static DnsSnapshot InSync(Machine[] machines)
    {
        var zones = ZoneGenerator.Generate(ZoneGeneratorTests.Acme(), machines, ZoneTemplates.BuiltIn).Zones;
        return new DnsSnapshot(
            ZoneTemplates.BuiltIn, ServedKnown: true,
            zones.ToImmutableDictionary(z => z.Name, z => Served(z, 2026010101)),
            zones.ToImmutableDictionary(z => z.Name, z => new ZoneState(z.Name, 2026010101, z.ContentHash(), Epoch)));
    }

    /// <summary>DNS's plan after <paramref name="prior"/>, with the machines as the physical provider projects them.</summary>
    private static ProviderPlan Plan(DnsSnapshot snapshot, Machine[] machines, params PlannedChange[] prior) =>
        new DnsProvider(null!).Plan(new ProviderPlanRequest(ZoneGeneratorTests.Acme(), snapshot, PlanOptions.Default, [.. prior], MachineActions.WithDns)
        {
            Machines = PhysicalProjection.After([.. machines], prior),
        });

    [Fact]
    public void Zones_served_as_generated_need_no_change_but_are_guarded_by_their_serial()
    {
        var plan = Plan(InSync(ZoneGeneratorTests.AcmeMachines()), ZoneGeneratorTests.AcmeMachines());

        Assert.Empty(plan.Changes);
        Assert.Equal("2026010101", plan.Guards["zone/lon.acme.net"]);
    }

    [Fact]
    public void An_install_planned_before_dns_publishes_its_hostname_and_the_push_depends_on_the_site_changes()
    {
        Machine[] machines = [.. ZoneGeneratorTests.AcmeMachines(), Machine("SN0100", "lon", null, "10.1.0.77", MachineState.Available)];
        var install = new PlannedChange
        {
            Id = "1", Address = "pool/fancydb-lon", Provider = "physical", Action = MachineActions.Install, Reason = "grow",
            Machine = "SN0100", Hostname = "lon-fancydb-new01", Site = "lon",
            Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("pool", "fancydb-lon"), KeyValuePair.Create("role", "fancydb")]),
        };

        var plan = Plan(InSync(machines), machines, install);

        Assert.Equal(["zone/lon.acme.net", "zone/1.10.in-addr.arpa"], plan.Changes.Select(c => c.Change.Address));
        var lon = plan.Changes[0];
        Assert.Equal(DnsActions.ZonePush.Action, lon.Change.Action);
        Assert.Equal("records", lon.Change.Reason);
        Assert.Equal("lon", lon.Change.Site);
        Assert.Equal([new ChangeSelector(Site: "lon") { ChangesMachines = true }], lon.DependsOn.ToArray());
        Assert.Equal(3, (int)lon.Change.After!["added"]!);
        Assert.Equal(
            ["+ _fancydb._tcp 300 SRV 0 0 5432 lon-fancydb-new01.lon.acme.net.", "+ fancydb-lon 300 A 10.1.0.77", "+ lon-fancydb-new01 300 A 10.1.0.77"],
            lon.Change.After["diff"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("+ 77.0 300 PTR lon-fancydb-new01.lon.acme.net.", (string)plan.Changes[1].Change.After!["diff"]![0]!);
        Assert.Empty(plan.Unsafe);
    }

    [Fact]
    public void A_zone_the_server_lacks_is_created_and_a_hand_edit_is_drift()
    {
        var snapshot = InSync(ZoneGeneratorTests.AcmeMachines());
        var lon = snapshot.Served["lon.acme.net."];
        snapshot = snapshot with
        {
            Served = snapshot.Served.Remove("sto.acme.net.").SetItem("lon.acme.net.", lon with { Records = lon.Records.Add(new ZoneRecord("rogue.lon.acme.net.", "A", 60, "10.6.6.6")) }),
        };

        var plan = Plan(snapshot, ZoneGeneratorTests.AcmeMachines());

        Assert.Equal(
            [("zone/lon.acme.net", DnsActions.ZonePush.Action, "drift"), ("zone/sto.acme.net", DnsActions.ZoneCreate.Action, "new zone")],
            plan.Changes.Select(c => (c.Change.Address, c.Change.Action, c.Change.Reason)));
        Assert.Equal("- rogue 60 A 10.6.6.6", (string)plan.Changes[0].Change.After!["diff"]![0]!);
        Assert.Equal("absent", plan.Guards["zone/sto.acme.net"]);
    }

    [Fact]
    public void Recycling_most_of_a_zone_is_unsafe_and_the_diff_shown_is_capped()
    {
        var machines = Enumerable.Range(1, 40).Select(i => Machine($"SN{i}", "lon", $"lon-web-{i:D5}", $"10.1.2.{i}")).ToArray();
        var recycles = machines.Take(30).Select(m => new PlannedChange
        {
            Id = m.HardwareName, Address = "pool/web-lon", Provider = "physical", Action = MachineActions.Recycle, Reason = "shrink", Machine = m.HardwareName, Site = "lon",
        }).ToArray();

        var plan = Plan(InSync(machines), machines, recycles);

        var lon = plan.Changes.Single(c => c.Change.Address == "zone/lon.acme.net").Change;
        Assert.Equal(30, (int)lon.After!["removed"]!);
        Assert.Equal(DnsProvider.DiffLineCap, lon.After["diff"]!.AsArray().Count);
        Assert.Contains(plan.Unsafe, u => u.StartsWith("zone lon.acme.net: the push would delete or change 30 of 46 records", StringComparison.Ordinal));
    }

    [Fact]
    public void A_guard_goes_stale_when_the_served_serial_moved()
    {
        var snapshot = InSync(ZoneGeneratorTests.AcmeMachines());
        var moved = snapshot with { Served = snapshot.Served.SetItem("lon.acme.net.", snapshot.Served["lon.acme.net."] with { Serial = 2026010105 }) };

        var stale = new DnsProvider(null!).FindStaleGuards(new Dictionary<string, string> { ["zone/lon.acme.net"] = "2026010101", ["zone/sto.acme.net"] = "2026010101" }, moved).ToArray();

        Assert.Equal(["zone/lon.acme.net changed since the plan (serial 2026010101, now 2026010105)"], stale);
    }
}
