using System.Collections.Immutable;
using System.Text.Json;
using Fleet.Engine.Inventory;
using Fleet.State;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Commands;

/// <summary>
/// <c>fleetctl power</c> in-process on a fleet whose lon site drives two real BMCs (ipmi_sim) by IPMI
/// and whose sto site is simulated; what the BMCs were told is read from their state files.
/// </summary>
public sealed class PowerCommandTests : IClassFixture<BmcFixture>, IDisposable
{
    private const string PasswordVariable = "LON_BMC_PASSWORD";

    private readonly string fleet = Directory.CreateTempSubdirectory("fleet-power-").FullName;
    private readonly SimulatedBmc a;
    private readonly SimulatedBmc b;

    public PowerCommandTests(BmcFixture fixture)
    {
        (a, b) = (fixture.Bmcs[0], fixture.Bmcs[1]);
        a.Reset(poweredOn: false);
        b.Reset(poweredOn: false);
        File.WriteAllText(Path.Combine(fleet, "fleet.yaml"), $"""
            apiVersion: fleet/v1
            kind: Fleet
            name: racks
            sites:
              - name: lon
                domain: lon.example.net
                networks: [10.1.0.0/16]
                power: {'{'} driver: ipmi, username: {SimulatedBmc.User}, password: env:{PasswordVariable} {'}'}
              - name: sto
                domain: sto.example.net
                networks: [10.2.0.0/16]
                power: {'{'} driver: simulated {'}'}
            hardware:
              - name: compute

            """);
        File.WriteAllText(Path.Combine(fleet, "recon.json"), $$"""
            [ { "hardwareName": "SRV-A", "hardwareType": "compute", "site": "lon", "bmc": { "address": "127.0.0.1", "port": {{a.Port}} } },
              { "hardwareName": "SRV-B", "hardwareType": "compute", "site": "lon", "bmc": { "address": "127.0.0.1", "port": {{b.Port}} } },
              { "hardwareName": "SIM-C", "hardwareType": "compute", "site": "sto", "bmc": { "address": "10.2.250.1" } } ]
            """);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(fleet, recursive: true);
    }

    [Fact]
    public async Task Status_on_pxe_cycle_and_off_reach_the_bmcs_of_the_machines()
    {
        await IngestAsync();

        var off = await RunAsync("power", "status", "SRV-A", "SRV-B");
        var on = await RunAsync("power", "on", "SRV-A", "SRV-B");
        var json = await RunAsync("power", "status", "SRV-A", "SRV-B", "--format", "json");
        var pxe = await RunAsync("power", "pxe", "SRV-B");
        var cycle = await RunAsync("power", "cycle", "SRV-A");
        await WaitUntilAsync(() => a.Events.Count == 3); // ipmi_sim powers a cycled machine back on after a second
        var down = await RunAsync("power", "off", "SRV-A", "SRV-B");

        Assert.Equal((0, $"SRV-A  {a.Endpoint}  off\nSRV-B  {b.Endpoint}  off\n", ""), off);
        Assert.Equal((0, $"SRV-A  {a.Endpoint}  powered on\nSRV-B  {b.Endpoint}  powered on\n", ""), on);
        using (var document = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(
                [("SRV-A", "lon", a.Endpoint, "on"), ("SRV-B", "lon", b.Endpoint, "on")],
                document.RootElement.EnumerateArray().Select(m => (Text(m, "hardwareName"), Text(m, "site"), Text(m, "bmc"), Text(m, "power"))));
        }

        Assert.Equal((0, $"SRV-B  {b.Endpoint}  next boot from the network\n", ""), pxe);
        Assert.Equal((0, $"SRV-A  {a.Endpoint}  power cycled\n", ""), cycle);
        Assert.Equal(0, down.Exit);
        Assert.Equal(["power 1", "power 0", "power 1", "power 0"], a.Events);
        Assert.Equal(["power 1", "boot pxe", "power 0"], b.Events);
        Assert.Equal("pxe", b.BootDevice);
        Assert.All(new[] { off, on, json, pxe, cycle, down }, r => Assert.DoesNotContain(SimulatedBmc.Password, r.Out + r.Err, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Off_cycle_and_pxe_of_a_machine_in_a_job_or_in_use_need_force_and_nothing_happens_without()
    {
        await IngestAsync();
        await using (var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", fleet, CancellationToken.None))
        {
            var machine = (await database.Inventory.GetMachineAsync("SRV-A", CancellationToken.None))!;
            await database.Inventory.TransitionAsync(
                new MachineTransition("SRV-A", machine.Version, MachineState.Installing, "lon-db-a1b2c", "db", "db-lon", "debian-12"), new AuditContext("test"), CancellationToken.None);
        }

        foreach (var verb in new[] { "off", "cycle", "pxe" })
        {
            Assert.Equal(
                (1, "", $"error: machine SRV-A is installing: power {verb} would interrupt its install job; add --force to do it anyway\n"),
                await RunAsync("power", verb, "SRV-B", "SRV-A"));
        }

        Assert.Empty(a.Events);
        Assert.Empty(b.Events);

        Assert.Equal(0, (await RunAsync("power", "on", "SRV-A")).Exit); // powering on interrupts nothing
        var forced = await RunAsync("power", "off", "SRV-A", "--force");

        Assert.Equal((0, $"SRV-A  {a.Endpoint}  powered off\n", ""), forced);
        Assert.Equal(["power 1", "power 0"], a.Events);
    }

    [Fact]
    public async Task An_unset_password_variable_is_an_error_at_the_password_field_of_fleet_yaml()
    {
        await IngestAsync();

        var result = await RunAsync(ImmutableDictionary<string, string>.Empty, "power", "status", "SRV-A");

        Assert.Equal((1, "", $"fleet.yaml:8:55: error: the environment variable {PasswordVariable} (from 'env:{PasswordVariable}') is not set\n"), result);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("601")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public async Task A_timeout_out_of_range_is_refused_before_any_bmc_is_asked(string seconds)
    {
        await IngestAsync();

        var result = await RunAsync("power", "on", "SRV-A", "--timeout", seconds);

        Assert.Equal((1, "", "error: --timeout: give the seconds to wait for each answer of a BMC, more than 0 and at most 600\n"), result);
        Assert.Empty(a.Events);
    }

    [Fact]
    public async Task A_simulated_site_has_no_hardware_to_control_and_an_unknown_machine_is_named()
    {
        await IngestAsync();

        var result = await RunAsync("power", "on", "SIM-C", "NOPE");

        Assert.Equal(1, result.Exit);
        Assert.Equal(
            "error: machine NOPE is not in the inventory\nfleet.yaml:12:22: error: site sto uses the simulated power driver: it has no hardware to control\n",
            result.Err);
    }

    [Fact]
    public async Task A_wrong_password_fails_that_site_without_showing_any_password()
    {
        await IngestAsync();
        const string Wrong = "Wr0ng-password";

        var result = await RunAsync(ImmutableDictionary<string, string>.Empty.Add(PasswordVariable, Wrong), "power", "on", "SRV-A", "SRV-B");

        Assert.Equal(1, result.Exit);
        Assert.Equal(
            $"error: machine SRV-A: the BMC at {a.Endpoint} refused the credentials of user 'admin' (wrong password: its RAKP 2 key exchange code does not match)\n" +
            $"error: machine SRV-B: the BMC at {b.Endpoint} refused the credentials of user 'admin' (wrong password: its RAKP 2 key exchange code does not match)\n",
            result.Err);
        Assert.DoesNotContain(Wrong, result.Out + result.Err, StringComparison.Ordinal);
        Assert.Empty(a.Events);
    }

    private async Task IngestAsync() => Assert.Equal(0, (await RunAsync("inventory", "ingest", "recon.json")).Exit);

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        RunAsync(ImmutableDictionary<string, string>.Empty.Add(PasswordVariable, SimulatedBmc.Password), args);

    private async Task<(int Exit, string Out, string Err)> RunAsync(ImmutableDictionary<string, string> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(string.Empty), environment, fleet, IsTerminal: false, TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exit = await Cli.RunAsync(args, host, timeout.Token);
        return (exit, output.ToString(), error.ToString());
    }

    private static string? Text(JsonElement element, string name) => element.GetProperty(name).GetString();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the BMC did not get there within 10 s");
            await Task.Delay(50);
        }
    }
}
