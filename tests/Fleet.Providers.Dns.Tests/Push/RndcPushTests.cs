using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Tests.Zones;
using Fleet.Providers.Dns.Zones;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Push;

/// <summary>rndc and directory pushes against a real BIND: file writes, reload, freeze/thaw, addzone, refusal of bad zones.</summary>
public sealed class RndcPushTests : IAsyncLifetime
{
    private BindServer server = null!;
    private RndcClient rndc = null!;
    private readonly FixedClock clock = new(new DateTimeOffset(2026, 3, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly MemoryZoneStateStore store = new();

    public async Task InitializeAsync()
    {
        server = await BindServer.StartAsync(new BindZone("lon.acme.net", Dynamic: false), new BindZone("sto.acme.net", Dynamic: true));
        rndc = server.Rndc();
    }

    public async Task DisposeAsync()
    {
        rndc.Dispose();
        await server.DisposeAsync();
    }

    private ZonePublisher Publisher() =>
        new(new RndcPusher(server.ZoneDirectory, rndc, new ServedZoneReader(server.Client, null)), store, new ZoneRenderer(), clock);

    private static ZoneData Generate(string zone) =>
        ZoneGeneratorTests.Find(ZoneGenerator.Generate(ZoneGeneratorTests.Acme(), ZoneGeneratorTests.AcmeMachines(), ZoneTemplates.BuiltIn), zone);

    private async Task<string[]> ServedAsync(string zone) =>
        [.. (await server.Client.TransferAsync(zone, null, Servers.Timeout()))!.Records.Select(r => r.ToString())];

    [Fact]
    public async Task A_static_zone_is_written_atomically_and_reloaded()
    {
        var zone = Generate("lon.acme.net.");

        var outcome = await Publisher().PushAsync(zone, false, Servers.Timeout());
        await server.WaitForSerialAsync("lon.acme.net.", outcome.Serial);

        Assert.Equal(zone.AllRecords().Select(r => r.ToString()), await ServedAsync("lon.acme.net."));
        Assert.Equal(new ZoneRenderer().Render(zone with { Serial = outcome.Serial }), await File.ReadAllTextAsync(Path.Combine(server.ZoneDirectory, "lon.acme.net.zone")));
        Assert.Equal(["lon.acme.net.zone", "sto.acme.net.zone"], Directory.GetFiles(server.ZoneDirectory).Select(Path.GetFileName).Where(f => !f!.EndsWith(".jnl", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task A_dynamic_zone_is_frozen_written_and_thawed()
    {
        var zone = Generate("sto.acme.net.");

        var outcome = await Publisher().PushAsync(zone, false, Servers.Timeout());
        await server.WaitForSerialAsync("sto.acme.net.", outcome.Serial);

        Assert.Equal(zone.AllRecords().Select(r => r.ToString()), await ServedAsync("sto.acme.net."));
        Assert.Equal(["sto-web-ddddd.sto.acme.net. A 10.2.1.9"], await server.DigAsync("sto-web-ddddd.sto.acme.net", "A"));
    }

    [Fact]
    public async Task A_zone_the_server_lacks_is_added_with_addzone()
    {
        var zone = Generate("1.10.in-addr.arpa.");
        Assert.Null(await server.Client.GetSerialAsync(zone.Name, null, Servers.Timeout()));

        var outcome = await Publisher().PushAsync(zone, false, Servers.Timeout());
        await server.WaitForSerialAsync(zone.Name, outcome.Serial);

        Assert.True(outcome.Created);
        Assert.Equal(["5.0.1.10.in-addr.arpa. PTR lon-fancydb-aaaaa.lon.acme.net."], await server.DigAsync("-x", "10.1.0.5"));
    }

    [Fact]
    public async Task A_zone_named_checkzone_refuses_is_never_pushed_and_the_served_zone_stays()
    {
        var before = await ServedAsync("lon.acme.net.");
        var file = await File.ReadAllTextAsync(Path.Combine(server.ZoneDirectory, "lon.acme.net.zone"));
        var broken = Generate("lon.acme.net.") with { Template = new ZoneTemplateRef("templates/broken.sbn", "$ORIGIN {{ zone.name }}\n@ IN SOA {{ zone.soa.mname }} {{ zone.soa.rname }} {{ zone.serial }} 1 1 1 1\n") };

        var error = await Assert.ThrowsAsync<FleetException>(() => Publisher().PushAsync(broken, false, Servers.Timeout()));

        Assert.Contains("zone lon.acme.net: named-checkzone refused the rendered zone", error.Message, StringComparison.Ordinal);
        Assert.Equal("templates/broken.sbn", error.Diagnostics[0].Location.File);
        Assert.Equal(before, await ServedAsync("lon.acme.net."));
        Assert.Equal(file, await File.ReadAllTextAsync(Path.Combine(server.ZoneDirectory, "lon.acme.net.zone")));
    }

    [Fact]
    public async Task A_hand_edited_zone_file_is_drift_and_the_next_push_repairs_it()
    {
        var zone = Generate("lon.acme.net.");
        var pushed = await Publisher().PushAsync(zone, false, Servers.Timeout());
        await server.WaitForSerialAsync("lon.acme.net.", pushed.Serial);
        var path = Path.Combine(server.ZoneDirectory, "lon.acme.net.zone");
        var edited = (await File.ReadAllTextAsync(path)).Replace($"( {pushed.Serial} ", $"( {pushed.Serial + 5} ", StringComparison.Ordinal) + "rogue\t60\tIN\tA\t10.6.6.6\n";
        await File.WriteAllTextAsync(path, edited);
        await rndc.RunAsync(Servers.Timeout(), "reload", "lon.acme.net");
        await server.WaitForSerialAsync("lon.acme.net.", pushed.Serial + 5);

        var status = await Publisher().InspectAsync(zone, Servers.Timeout());
        var repair = await Publisher().PushAsync(zone, false, Servers.Timeout());
        await server.WaitForSerialAsync("lon.acme.net.", repair.Serial);

        Assert.True(status.Drift);
        Assert.Equal(["rogue.lon.acme.net. 60 A 10.6.6.6"], status.Diff.Removed.Select(r => r.ToString()));
        Assert.Equal(pushed.Serial + 6, repair.Serial);
        Assert.Empty(await server.DigAsync("rogue.lon.acme.net", "A"));
    }

    [Fact]
    public async Task Directory_push_writes_zone_files_and_reads_the_primary_for_drift()
    {
        var target = Directory.CreateTempSubdirectory("fleet-zones-").FullName;
        try
        {
            var publisher = new ZonePublisher(new DirectoryPusher(target, new ServedZoneReader(null, null)), store, new ZoneRenderer(), clock);
            var zone = Generate("lon.acme.net.");

            var first = await publisher.PushAsync(zone, false, Servers.Timeout());
            var second = await publisher.PushAsync(zone, false, Servers.Timeout());

            Assert.True(first.Pushed);
            Assert.False(second.Pushed);
            Assert.Equal(["lon.acme.net.zone"], Directory.GetFiles(target).Select(Path.GetFileName));
            Baseline.Match("lon.acme.net.zone", (await File.ReadAllTextAsync(Path.Combine(target, "lon.acme.net.zone"))).Replace("2026030401", "2026010101", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public async Task A_new_zone_on_a_server_that_refuses_addzone_is_a_clear_error_and_no_file_is_left()
    {
        await using var strict = await BindServer.StartAsync(allowNewZones: false, new BindZone("lon.acme.net", Dynamic: false));
        using var strictRndc = strict.Rndc();
        var publisher = new ZonePublisher(new RndcPusher(strict.ZoneDirectory, strictRndc, new ServedZoneReader(strict.Client, null)), store, new ZoneRenderer(), clock);

        var error = await Assert.ThrowsAsync<FleetException>(() => publisher.PushAsync(Generate("1.10.in-addr.arpa."), false, Servers.Timeout()));

        Assert.Contains("zone 1.10.in-addr.arpa is not configured on the name server and rndc addzone failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("allow-new-zones yes;", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(strict.ZoneDirectory, "1.10.in-addr.arpa.zone")));
        Assert.Null(await store.GetAsync("1.10.in-addr.arpa.", Servers.Timeout()));
    }
}
