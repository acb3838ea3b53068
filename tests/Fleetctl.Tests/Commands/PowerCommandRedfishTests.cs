using System.Collections.Immutable;
using Fleet.Providers.Physical.Tests.Power.Redfish;

namespace Fleetctl.Tests.Commands;

/// <summary>
/// <c>fleetctl power</c> on a redfish site: two fake Redfish BMCs behind a certificate of a test CA
/// that the site trusts through <c>power.caFile</c>; what the BMCs were told is read from the fakes.
/// </summary>
public sealed class PowerCommandRedfishTests : IAsyncLifetime
{
    private const string PasswordVariable = "STO_BMC_PASSWORD";

    private readonly string fleet = Directory.CreateTempSubdirectory("fleet-power-redfish-").FullName;
    private FakeRedfishServer server = null!;

    public async Task InitializeAsync()
    {
        var (ca, issued) = TestCertificates.IssuedByCa();
        using (ca)
        {
            await File.WriteAllTextAsync(Path.Combine(fleet, "bmc-ca.pem"), TestCertificates.Pem(ca));
            server = await FakeRedfishServer.StartAsync(issued, bmcs: 2);
        }

        var (a, b) = (server.Bmcs[0], server.Bmcs[1]);
        await File.WriteAllTextAsync(Path.Combine(fleet, "fleet.yaml"), $"""
            apiVersion: fleet/v1
            kind: Fleet
            name: racks
            sites:
              - name: sto
                domain: sto.example.net
                networks: [10.2.0.0/16]
                power: {'{'} driver: redfish, username: {a.Username}, password: env:{PasswordVariable}, caFile: bmc-ca.pem {'}'}
            hardware:
              - name: compute

            """);
        await File.WriteAllTextAsync(Path.Combine(fleet, "recon.json"), $$"""
            [ { "hardwareName": "RF-A", "hardwareType": "compute", "site": "sto", "bmc": { "address": "127.0.0.1", "port": {{server.PortOf(a)}} } },
              { "hardwareName": "RF-B", "hardwareType": "compute", "site": "sto", "bmc": { "address": "127.0.0.1", "port": {{server.PortOf(b)}} } } ]
            """);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(fleet, recursive: true);
    }

    [Fact]
    public async Task Status_on_pxe_and_off_reach_the_redfish_bmcs_and_log_out_after()
    {
        var (a, b) = (server.Bmcs[0], server.Bmcs[1]);
        a.PowerState = "Off";
        b.PowerState = "Off";
        Assert.Equal(0, (await RunAsync(a.Password, "inventory", "ingest", "recon.json")).Exit);
        var endpointA = $"127.0.0.1:{server.PortOf(a)}";
        var endpointB = $"127.0.0.1:{server.PortOf(b)}";

        var off = await RunAsync(a.Password, "power", "status", "RF-A", "RF-B");
        var on = await RunAsync(a.Password, "power", "on", "RF-A");
        var pxe = await RunAsync(a.Password, "power", "pxe", "RF-B");
        var down = await RunAsync(a.Password, "power", "off", "RF-A", "--force");

        Assert.Equal((0, $"RF-A  {endpointA}  off\nRF-B  {endpointB}  off\n", ""), off);
        Assert.Equal((0, $"RF-A  {endpointA}  powered on\n", ""), on);
        Assert.Equal((0, $"RF-B  {endpointB}  next boot from the network\n", ""), pxe);
        Assert.Equal((0, $"RF-A  {endpointA}  powered off\n", ""), down);
        Assert.Equal(["On", "ForceOff"], a.Resets);
        Assert.Empty(b.Resets);
        Assert.Equal(("Pxe", "Once"), (b.BootSourceOverrideTarget, b.BootSourceOverrideEnabled));
        Assert.Equal((0, 0), (a.OpenSessions, b.OpenSessions));
    }

    [Fact]
    public async Task A_wrong_password_fails_every_machine_without_showing_it()
    {
        const string wrong = "not-the-Pa55word";
        Assert.Equal(0, (await RunAsync(wrong, "inventory", "ingest", "recon.json")).Exit);

        var result = await RunAsync(wrong, "power", "status", "RF-A", "RF-B");

        Assert.Equal(1, result.Exit);
        Assert.Equal("", result.Out);
        Assert.Equal(2, result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("RF-A", result.Err, StringComparison.Ordinal);
        Assert.Contains("RF-B", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(string password, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = ImmutableDictionary<string, string>.Empty.Add(PasswordVariable, password);
        var host = new CliHost(output, error, new StringReader(string.Empty), environment, fleet, IsTerminal: false, TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exit = await Cli.RunAsync(args, host, timeout.Token);
        return (exit, output.ToString(), error.ToString());
    }
}
