using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Providers.Dns;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Tests.Zones;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;
using Fleet.Tests.Shared;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Push;

/// <summary>RFC 2136 updates with TSIG against a real BIND; every assertion reads what the server serves.</summary>
public sealed class Rfc2136PushTests : IAsyncLifetime
{
    private BindServer server = null!;
    private readonly FixedClock clock = new(new DateTimeOffset(2026, 3, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly MemoryZoneStateStore store = new();

    public async Task InitializeAsync() =>
        server = await BindServer.StartAsync(new BindZone("lon.acme.net", Dynamic: true), new BindZone("1.10.in-addr.arpa", Dynamic: true));

    public async Task DisposeAsync() => await server.DisposeAsync();

    private ZonePublisher Publisher(TsigKey? key = null) =>
        new(new Rfc2136Pusher(server.Client, key ?? server.TsigKey), store, new ZoneRenderer(), clock);

    private static ZoneData Generate(string zone, params Machine[] machines) =>
        ZoneGeneratorTests.Find(ZoneGenerator.Generate(ZoneGeneratorTests.Acme(), machines, ZoneTemplates.BuiltIn), zone);

    private async Task<string[]> ServedAsync(string zone) =>
        [.. (await server.Client.TransferAsync(zone, null, Servers.Timeout()))!.Records.Select(r => r.ToString())];

    [Fact]
    public async Task Initial_push_makes_the_server_serve_exactly_the_generated_zone()
    {
        var zone = Generate("lon.acme.net.", ZoneGeneratorTests.AcmeMachines());

        var outcome = await Publisher().PushAsync(zone, force: false, Servers.Timeout());

        Assert.True(outcome.Pushed);
        Assert.Equal(2026030401u, outcome.Serial);
        Assert.Equal(zone.AllRecords().Select(r => r.ToString()), await ServedAsync("lon.acme.net."));
        Assert.Equal(["lon-fancydb-aaaaa.lon.acme.net. A 10.1.0.5"], await server.DigAsync("lon-fancydb-aaaaa.lon.acme.net", "A"));
        Assert.Equal(["fancydb-lon.lon.acme.net. A 10.1.0.5", "fancydb-lon.lon.acme.net. A 10.1.0.6"], (await server.DigAsync("fancydb-lon.lon.acme.net", "A")).Order());
        Assert.Contains("2026030401", (await server.DigAsync("lon.acme.net", "SOA"))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Growing_and_shrinking_sends_only_the_difference_and_serials_only_go_up()
    {
        var machines = ZoneGeneratorTests.AcmeMachines();
        var first = await Publisher().PushAsync(Generate("lon.acme.net.", machines), false, Servers.Timeout());
        var added = Machine("SN0100", "lon", "lon-fancydb-zzzzz", "10.1.0.99", pool: "fancydb-lon", role: "fancydb");

        var grow = await Publisher().PushAsync(Generate("lon.acme.net.", [.. machines, added]), false, Servers.Timeout());
        var shrink = await Publisher().PushAsync(Generate("lon.acme.net.", [.. machines]), false, Servers.Timeout());
        var again = await Publisher().PushAsync(Generate("lon.acme.net.", [.. machines]), false, Servers.Timeout());

        Assert.Equal(
            ["_fancydb._tcp.lon.acme.net. 300 SRV 0 0 5432 lon-fancydb-zzzzz.lon.acme.net.", "fancydb-lon.lon.acme.net. 300 A 10.1.0.99", "lon-fancydb-zzzzz.lon.acme.net. 300 A 10.1.0.99"],
            grow.Diff.Added.Select(r => r.ToString()));
        Assert.Empty(grow.Diff.Removed);
        Assert.Equal(grow.Diff.Added.Select(r => r.ToString()), shrink.Diff.Removed.Select(r => r.ToString()));
        Assert.Empty(shrink.Diff.Added);
        Assert.True(first.Serial < grow.Serial && grow.Serial < shrink.Serial, $"{first.Serial} {grow.Serial} {shrink.Serial}");
        Assert.False(again.Pushed);
        Assert.Equal(shrink.Serial, await server.Client.GetSerialAsync("lon.acme.net.", null, Servers.Timeout()));
        Assert.Empty(await server.DigAsync("lon-fancydb-zzzzz.lon.acme.net", "A"));
    }

    [Fact]
    public async Task Reverse_zone_serves_ptr_records()
    {
        await Publisher().PushAsync(Generate("1.10.in-addr.arpa.", ZoneGeneratorTests.AcmeMachines()), false, Servers.Timeout());

        Assert.Equal(["5.0.1.10.in-addr.arpa. PTR lon-fancydb-aaaaa.lon.acme.net."], await server.DigAsync("-x", "10.1.0.5"));
        Assert.Equal(["7.1.1.10.in-addr.arpa. PTR lon-web-ccccc.lon.acme.net."], await server.DigAsync("-x", "10.1.1.7"));
    }

    [Fact]
    public async Task A_wrong_tsig_key_is_refused_and_the_zone_stays_as_it_was()
    {
        var before = await server.Client.GetSerialAsync("lon.acme.net.", null, Servers.Timeout());
        var wrong = new TsigKey("ddns-key", "hmac-sha256", new byte[32]);

        var error = await Assert.ThrowsAsync<FleetException>(() => Publisher(wrong).PushAsync(Generate("lon.acme.net.", ZoneGeneratorTests.AcmeMachines()), false, Servers.Timeout()));

        Assert.Contains("refused TSIG key ddns-key (hmac-sha256): BADSIG", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await server.Client.GetSerialAsync("lon.acme.net.", null, Servers.Timeout()));
        Assert.Empty(await server.DigAsync("lon-fancydb-aaaaa.lon.acme.net", "A"));
    }

    [Fact]
    public async Task A_serial_is_never_lower_than_the_one_the_server_serves()
    {
        var zone = Generate("lon.acme.net.", ZoneGeneratorTests.AcmeMachines());
        var bumped = DnsClient.NewMessage() with
        {
            Opcode = DnsOpcode.Update,
            Questions = [new DnsQuestion("lon.acme.net.", 6)],
            Authority = [new DnsRecord("lon.acme.net.", 6, DnsClasses.In, 300, "ns1.acme.net. hostmaster.acme.net. 2099123199 3600 600 1209600 300")],
        };
        await server.Client.UpdateAsync(bumped, server.TsigKey, Servers.Timeout());

        var outcome = await Publisher().PushAsync(zone, false, Servers.Timeout());

        Assert.Equal(2099123200u, outcome.Serial);
        Assert.Equal(2099123200u, await server.Client.GetSerialAsync("lon.acme.net.", null, Servers.Timeout()));
    }

    [Fact]
    public async Task A_hand_edit_is_drift_and_the_next_push_repairs_it()
    {
        var zone = Generate("lon.acme.net.", ZoneGeneratorTests.AcmeMachines());
        await Publisher().PushAsync(zone, false, Servers.Timeout());
        var edit = DnsClient.NewMessage() with
        {
            Opcode = DnsOpcode.Update,
            Questions = [new DnsQuestion("lon.acme.net.", 6)],
            Authority = [new DnsRecord("evil.lon.acme.net.", 1, DnsClasses.In, 60, "10.6.6.6"), new DnsRecord("lb.lon.acme.net.", 1, DnsClasses.None, 0, "10.1.255.1")],
        };
        await server.Client.UpdateAsync(edit, server.TsigKey, Servers.Timeout());

        var status = await Publisher().InspectAsync(zone, Servers.Timeout());
        var repair = await Publisher().PushAsync(zone, false, Servers.Timeout());

        Assert.True(status.Drift);
        Assert.Equal("+1 -1 ~0", status.Diff.ToString());
        Assert.True(repair.Pushed);
        Assert.Equal(zone.AllRecords().Select(r => r.ToString()), await ServedAsync("lon.acme.net."));
    }

    [Fact]
    public async Task Deleting_more_than_30_percent_of_a_zone_of_ten_or_more_records_needs_force()
    {
        var machines = Enumerable.Range(1, 12).Select(i => Machine($"SN{i}", "lon", $"lon-web-{i:D5}", $"10.1.2.{i}")).ToArray();
        await Publisher().PushAsync(Generate("lon.acme.net.", machines), false, Servers.Timeout());
        var before = await ServedAsync("lon.acme.net.");

        var error = await Assert.ThrowsAsync<FleetException>(() => Publisher().PushAsync(Generate("lon.acme.net.", machines[..6]), false, Servers.Timeout()));
        Assert.Contains("would delete or change 6 of 18 records (33.3%), more than the 30% allowed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ServedAsync("lon.acme.net."));

        var forced = await Publisher().PushAsync(Generate("lon.acme.net.", machines[..6]), force: true, Servers.Timeout());
        Assert.Equal(6, forced.Diff.Removed.Length);
    }

    [Fact]
    public async Task Replacing_the_name_servers_replaces_the_apex_ns_set()
    {
        var desired = ZoneGeneratorTests.Acme();
        desired = desired with { Fleet = desired.Fleet.WithDns(desired.Fleet.Dns()! with { Nameservers = ["ns8.acme.net.", "ns9.acme.net."] }) };
        var zone = ZoneGeneratorTests.Find(ZoneGenerator.Generate(desired, [], ZoneTemplates.BuiltIn), "lon.acme.net.");

        await Publisher().PushAsync(zone, false, Servers.Timeout());

        Assert.Equal(["lon.acme.net. NS ns8.acme.net.", "lon.acme.net. NS ns9.acme.net."], (await server.DigAsync("lon.acme.net", "NS")).Order());
    }

    [Fact]
    public async Task An_update_larger_than_one_message_is_split_and_fully_served()
    {
        var machines = Enumerable.Range(0, 3_000).Select(i => Machine($"SN{i:D5}", "lon", $"lon-web-{i:D5}", $"10.1.{i / 250 + 10}.{i % 250 + 1}")).ToArray();
        var zone = Generate("lon.acme.net.", machines);

        var outcome = await Publisher().PushAsync(zone, false, Servers.Timeout());

        Assert.Equal(3_000, outcome.Diff.Added.Count(r => r.Type == RecordTypes.A && r.Name.StartsWith("lon-web-", StringComparison.Ordinal)));
        Assert.Equal(zone.AllRecords().Select(r => r.ToString()), await ServedAsync("lon.acme.net."));
        Assert.True(outcome.Serial > 2026030401u, "each message of a split update sets the next serial");
        Assert.Equal(outcome.Serial, await server.Client.GetSerialAsync("lon.acme.net.", null, Servers.Timeout()));
    }
}
