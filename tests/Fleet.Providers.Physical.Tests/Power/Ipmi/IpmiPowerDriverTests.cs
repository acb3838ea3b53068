using System.Collections.Immutable;
using System.Diagnostics;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Providers.Physical.Power;
using Fleet.Providers.Physical.Power.Ipmi;
using Fleet.Tests.Shared;

namespace Fleet.Providers.Physical.Tests.Power.Ipmi;

/// <summary>The ipmi driver against real IPMI v2.0 BMCs: what each operation made the BMC do, and how failures read.</summary>
public sealed class IpmiPowerDriverTests(BmcFixture fixture) : IClassFixture<BmcFixture>
{
    private static readonly IpmiOptions Fast = new(TimeSpan.FromSeconds(1), 3);

    private readonly IpmiPowerDriver driver = new(new IpmiCredentials(SimulatedBmc.User, SimulatedBmc.Password), Fast, TimeProvider.System);

    private SimulatedBmc Bmc => fixture.Bmcs[0];

    [Fact]
    public async Task Status_says_whether_the_machine_is_off_or_on()
    {
        Bmc.Reset(poweredOn: false);
        Assert.Equal(PowerState.Off, await driver.GetPowerStateAsync(MachineAt(Bmc), Timeout()));

        Bmc.Reset(poweredOn: true);
        Assert.Equal(PowerState.On, await driver.GetPowerStateAsync(MachineAt(Bmc), Timeout()));
        Assert.Empty(Bmc.Events);
        Assert.True(driver.IsRealHardware);
        Assert.Equal("ipmi", driver.Name);
    }

    [Fact]
    public async Task Power_on_and_off_reach_the_bmc()
    {
        Bmc.Reset(poweredOn: false);

        await driver.PowerOnAsync(MachineAt(Bmc), Timeout());
        Assert.True(Bmc.PoweredOn);
        await driver.PowerOffAsync(MachineAt(Bmc), Timeout());

        Assert.False(Bmc.PoweredOn);
        Assert.Equal(["power 1", "power 0"], Bmc.Events);
    }

    [Fact]
    public async Task Power_cycle_of_a_running_machine_turns_it_off_and_on_again()
    {
        Bmc.Reset(poweredOn: true);

        await driver.PowerCycleAsync(MachineAt(Bmc), Timeout());

        await WaitUntilAsync(() => Bmc.Events.Count == 2); // ipmi_sim powers back on after a second
        Assert.Equal(["power 0", "power 1"], Bmc.Events);
        Assert.True(Bmc.PoweredOn);
    }

    [Fact]
    public async Task Power_cycle_of_a_machine_that_is_off_powers_it_on_as_the_lifecycle_expects()
    {
        Bmc.Reset(poweredOn: false);

        await driver.PowerCycleAsync(MachineAt(Bmc), Timeout());

        Assert.Equal(["power 1"], Bmc.Events);
    }

    [Fact]
    public async Task One_time_pxe_boot_sets_the_boot_device_without_touching_power()
    {
        Bmc.Reset(poweredOn: true);

        await driver.SetOneTimePxeBootAsync(MachineAt(Bmc), BootImage.Installer, Timeout());

        Assert.Equal("pxe", Bmc.BootDevice);
        Assert.Equal(["boot pxe"], Bmc.Events);
        Assert.True(Bmc.PoweredOn);
    }

    [Fact]
    public async Task A_wrong_password_is_reported_as_refused_credentials_without_any_password()
    {
        Bmc.Reset(poweredOn: false);
        const string Wrong = "not-the-Passw0rd";
        var wrong = new IpmiPowerDriver(new IpmiCredentials(SimulatedBmc.User, Wrong), Fast, TimeProvider.System);

        var error = await Assert.ThrowsAsync<FleetException>(() => wrong.PowerOnAsync(MachineAt(Bmc), Timeout()));

        Assert.Equal(
            $"error: machine S0: the BMC at {Bmc.Endpoint} refused the credentials of user 'admin' (wrong password: its RAKP 2 key exchange code does not match)",
            error.Diagnostics.Single().ToString());
        Assert.DoesNotContain(Wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatedBmc.Password, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Bmc.Events);
    }

    [Fact]
    public async Task An_unknown_user_is_reported_as_refused_credentials()
    {
        Bmc.Reset(poweredOn: false);
        var stranger = new IpmiPowerDriver(new IpmiCredentials("mallory", SimulatedBmc.Password), Fast, TimeProvider.System);

        var error = await Assert.ThrowsAsync<FleetException>(() => stranger.PowerOnAsync(MachineAt(Bmc), Timeout()));

        Assert.Equal(
            $"machine S0: the BMC at {Bmc.Endpoint} refused the credentials of user 'mallory' (unauthorized name (RMCP+ status 0x0D))",
            error.Diagnostics.Single().Message);
        Assert.DoesNotContain(SimulatedBmc.Password, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Bmc.Events);
    }

    [Fact]
    public async Task A_port_where_no_bmc_listens_times_out_within_the_configured_time_naming_the_endpoint()
    {
        var port = SimulatedBmcs.UnusedPort();
        var quick = new IpmiPowerDriver(new IpmiCredentials(SimulatedBmc.User, SimulatedBmc.Password), new IpmiOptions(TimeSpan.FromMilliseconds(300), 2), TimeProvider.System);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<FleetException>(() => quick.GetPowerStateAsync(MachineAt("127.0.0.1", port), Timeout()));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(3)); // 0.6 s configured; the default would take 6 s
        Assert.StartsWith($"machine S0: the BMC at 127.0.0.1:{port} did not answer Get Channel Authentication Capabilities within 0.6 s (2 attempts", error.Diagnostics.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thirty_operations_on_three_bmcs_in_parallel_all_arrive()
    {
        foreach (var bmc in fixture.Bmcs)
        {
            bmc.Reset(poweredOn: false);
        }

        var operations = Enumerable.Range(0, 30).Select(i =>
        {
            var machine = MachineAt(fixture.Bmcs[i % 3], $"S{i}");
            return (i / 3 % 3) switch
            {
                0 => driver.GetPowerStateAsync(machine, Timeout()),
                1 => driver.SetOneTimePxeBootAsync(machine, BootImage.Installer, Timeout()),
                _ => driver.PowerOnAsync(machine, Timeout()),
            };
        }).ToList();

        await Task.WhenAll(operations);

        foreach (var bmc in fixture.Bmcs)
        {
            Assert.True(bmc.PoweredOn);
            Assert.Equal("pxe", bmc.BootDevice);
            Assert.Equal(3, bmc.Events.Count(e => e == "boot pxe"));
            Assert.DoesNotContain(bmc.Events, e => e is not ("boot pxe" or "power 1"));
        }
    }

    [Fact]
    public async Task Cancelling_stops_a_wait_for_a_silent_bmc_at_once()
    {
        var patient = new IpmiPowerDriver(new IpmiCredentials(SimulatedBmc.User, SimulatedBmc.Password), new IpmiOptions(TimeSpan.FromSeconds(30), 3), TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.PowerOnAsync(MachineAt("127.0.0.1", SimulatedBmcs.UnusedPort()), cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task A_cancelled_operation_does_not_reach_the_bmc()
    {
        Bmc.Reset(poweredOn: false);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => driver.PowerOnAsync(MachineAt(Bmc), new CancellationToken(canceled: true)));

        Assert.Empty(Bmc.Events);
    }

    [Fact]
    public async Task An_address_the_host_cannot_send_to_is_a_clear_error_naming_the_endpoint()
    {
        // The kernel refuses datagrams to the broadcast address from a socket not allowed to broadcast (EACCES).
        var error = await Assert.ThrowsAsync<FleetException>(() => driver.PowerOnAsync(MachineAt("255.255.255.255", 623), Timeout()));

        Assert.StartsWith("machine S0: cannot reach the BMC at 255.255.255.255:623: ", error.Diagnostics.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_machine_without_a_bmc_address_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<FleetException>(() => driver.PowerOnAsync(MachineAt(Bmc) with { Bmc = null }, Timeout()));

        Assert.Equal("machine S0 has no BMC address in the inventory", error.Diagnostics.Single().Message);
    }

    [Fact]
    public void Credentials_print_only_the_user_and_respect_the_ipmi_limits()
    {
        Assert.Equal("admin", new IpmiCredentials("admin", SimulatedBmc.Password).ToString());
        Assert.Throws<ArgumentException>(() => new IpmiCredentials("admin", new string('x', 21)));
        Assert.Throws<ArgumentException>(() => new IpmiCredentials(new string('u', 17), "p"));
    }

    private static Machine MachineAt(SimulatedBmc bmc, string serial = "S0") => MachineAt(bmc.Address, bmc.Port, serial);

    private static Machine MachineAt(string address, int port, string serial = "S0") =>
        new(serial, "compute", "lon", null, new BmcEndpoint(address, port), ImmutableArray<NetworkInterface>.Empty, MachineState.Available,
            null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the BMC did not get there within 10 s");
            await Task.Delay(50);
        }
    }
}
