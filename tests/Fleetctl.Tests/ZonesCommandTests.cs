using System.Collections.Immutable;
using Fleet.Engine.Loading;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests;

/// <summary><c>fleetctl zones render|diff</c> on a copy of the quickstart fleet, diff against a real BIND.</summary>
public sealed class ZonesCommandTests : IDisposable
{
    private readonly string fleet = Directory.CreateTempSubdirectory("fleet-zones-cli-").FullName;

    public ZonesCommandTests()
    {
        Examples.CopyTo("quickstart", fleet);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(fleet, recursive: true);
    }

    [Fact]
    public async Task Render_writes_one_validated_zone_file_per_zone()
    {
        var (exit, output, error) = await RunAsync("zones", "render", "--out", "rendered");

        Assert.True(exit == 0, error);
        Assert.Equal(["1.10.in-addr.arpa.zone", "2.10.in-addr.arpa.zone", "lon.example.net.zone", "sto.example.net.zone"], Directory.GetFiles(Path.Combine(fleet, "rendered")).Select(Path.GetFileName).Order());
        Assert.Contains("rendered/lon.example.net.zone (6 records)", output, StringComparison.Ordinal);
        Assert.Contains("www\t300\tIN\tCNAME\tlb.lon.example.net.", await File.ReadAllTextAsync(Path.Combine(fleet, "rendered", "lon.example.net.zone")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_refuses_a_broken_template_and_writes_nothing()
    {
        await File.WriteAllTextAsync(Path.Combine(fleet, "zone.sbn"), "{{ for r in zone.records }}\n");
        var yaml = await File.ReadAllTextAsync(Path.Combine(fleet, "fleet.yaml"));
        await File.WriteAllTextAsync(Path.Combine(fleet, "fleet.yaml"), yaml.Replace("  ttl: 300\n", "  ttl: 300\n  template: zone.sbn\n", StringComparison.Ordinal));

        var (exit, _, error) = await RunAsync("zones", "render", "--out", "rendered");

        Assert.Equal(1, exit);
        Assert.StartsWith("zone.sbn:", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fleet, "rendered")));
    }

    [Fact]
    public async Task Diff_exits_2_until_the_server_serves_the_zones_and_again_after_a_hand_edit()
    {
        string[] zones = ["lon.example.net", "sto.example.net", "1.10.in-addr.arpa", "2.10.in-addr.arpa"];
        await using var server = await BindServer.StartAsync([.. zones.Select(z => new BindZone(z, Dynamic: true))]);
        await File.WriteAllTextAsync(Path.Combine(fleet, "ddns.key"), server.TsigKeyText);
        var yaml = await File.ReadAllTextAsync(Path.Combine(fleet, "fleet.yaml"));
        await File.WriteAllTextAsync(Path.Combine(fleet, "fleet.yaml"), yaml.Replace(
            "push: { method: directory, zoneDir: .fleet/zones }", $"push: {{ method: rfc2136, server: \"{server.DnsAddress}\", keyFile: file:ddns.key }}", StringComparison.Ordinal));

        var before = await RunAsync("zones", "diff");
        var publisher = new ZonePublisher(new Rfc2136Pusher(server.Client, server.TsigKey), new MemoryZoneStateStore(), new ZoneRenderer(), TimeProvider.System);
        foreach (var zone in ZoneGenerator.Generate(Fleetctl.FleetRuntime.Standard.Loader.LoadOrThrow(new DirectorySource(fleet)), [], ZoneTemplates.BuiltIn).Zones)
        {
            await publisher.PushAsync(zone, force: false, CancellationToken.None);
        }

        var synced = await RunAsync("zones", "diff");
        await server.Client.UpdateAsync(DnsClient.NewMessage() with
        {
            Opcode = DnsOpcode.Update,
            Questions = [new DnsQuestion("lon.example.net.", 6)],
            Authority = [new DnsRecord("rogue.lon.example.net.", 1, DnsClasses.In, 60, "10.6.6.6")],
        }, server.TsigKey, CancellationToken.None);
        var drift = await RunAsync("zones", "diff");

        Assert.True(before.Exit == 2, before.Err);
        Assert.Contains("zone lon.example.net: changes (+5 -0 ~1)", before.Out, StringComparison.Ordinal);
        Assert.True(synced.Exit == 0, synced.Out + synced.Err);
        Assert.Contains("zone 2.10.in-addr.arpa: in sync", synced.Out, StringComparison.Ordinal);
        Assert.Equal(2, drift.Exit);
        Assert.Contains("zone lon.example.net: changes (+0 -1 ~0)", drift.Out, StringComparison.Ordinal);
        Assert.Contains("  - rogue 60 A 10.6.6.6", drift.Out, StringComparison.Ordinal);
        var secret = server.TsigKeyText.Split('"')[3];
        Assert.DoesNotContain(secret, before.Out + synced.Out + drift.Out + drift.Err, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(string.Empty), ImmutableDictionary<string, string>.Empty, fleet, false, TimeProvider.System);
        var exit = await Cli.RunAsync(args, host, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
