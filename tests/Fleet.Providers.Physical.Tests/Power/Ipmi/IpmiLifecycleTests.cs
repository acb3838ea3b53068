using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Providers.Physical.Power;
using Fleet.Providers.Physical.Power.Ipmi;
using Fleet.State;
using Fleet.State.Tests;
using Fleet.Tests.Shared;
using static Fleet.Providers.Physical.Tests.Lifecycle.LifecycleHarness;

namespace Fleet.Providers.Physical.Tests.Power.Ipmi;

/// <summary>
/// The install lifecycle with the ipmi driver on real BMCs: one-time PXE, then power on (a machine
/// that is off) or power cycle (one that is on). The installer's callback through <c>fleetctl serve</c>
/// is tested end to end in Fleetctl.Tests (RealInstallTests); here the install "completes" when the
/// BMC has been told to boot from the network and the machine came up, read from the BMC's own state.
/// </summary>
public sealed class IpmiLifecycleTests(BmcFixture fixture) : IClassFixture<BmcFixture>, IAsyncLifetime
{
    private readonly SqliteProvider databases = new();

    public Task InitializeAsync() => databases.InitializeAsync();

    public Task DisposeAsync() => databases.DisposeAsync();

    [Fact]
    public async Task Installing_a_machine_that_is_off_sets_pxe_then_powers_it_on()
    {
        var bmc = fixture.Bmcs[0];
        bmc.Reset(poweredOn: false);
        await using var database = await OpenAsync();

        var result = await Lifecycle(database, SimulatedBmc.Password).InstallAsync(Install("1", "SN0"), Audit, Timeout());

        Assert.Equal(Fleet.Engine.Providers.ChangeStatus.Applied, result.Status);
        Assert.Equal(["boot pxe", "power 1"], bmc.Events);
        Assert.Equal(MachineState.InUse, (await database.Inventory.GetMachineAsync("SN0", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Installing_a_machine_that_is_on_sets_pxe_then_power_cycles_it()
    {
        var bmc = fixture.Bmcs[1];
        bmc.Reset(poweredOn: true);
        await using var database = await OpenAsync();

        await Lifecycle(database, SimulatedBmc.Password).InstallAsync(Install("1", "SN1"), Audit, Timeout());

        Assert.Equal(["boot pxe", "power 0", "power 1"], bmc.Events);
        Assert.Equal(MachineState.InUse, (await database.Inventory.GetMachineAsync("SN1", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_bmc_refusing_the_credentials_fails_the_attempt_with_its_message_and_leaves_the_machine_installing_for_a_retry()
    {
        var bmc = fixture.Bmcs[2];
        bmc.Reset(poweredOn: false);
        await using var database = await OpenAsync();

        var error = await Assert.ThrowsAsync<FleetException>(() => Lifecycle(database, "wrong-password").InstallAsync(Install("1", "SN2"), Audit, Timeout()));

        Assert.Contains($"machine SN2: the BMC at {bmc.Endpoint} refused the credentials of user 'admin'", error.Message, StringComparison.Ordinal);
        Assert.Empty(bmc.Events);
        Assert.Equal(MachineState.Installing, (await database.Inventory.GetMachineAsync("SN2", CancellationToken.None))!.State);
    }

    private async Task<StateDatabase> OpenAsync()
    {
        var database = await StateDatabase.OpenAsync(await databases.CreateAsync(), databases.FleetDirectory, CancellationToken.None);
        var records = fixture.Bmcs.Select((b, i) => new ReconRecord($"SN{i}", "high-io", "lon", null, new BmcEndpoint(b.Address, b.Port), [], SourceLocation.OfFile("recon.json"), i + 1));
        await database.Inventory.IngestAsync([.. records], Audit, CancellationToken.None);
        return database;
    }

    private MachineLifecycle Lifecycle(StateDatabase database, string password)
    {
        var driver = new IpmiPowerDriver(new IpmiCredentials(SimulatedBmc.User, password), new IpmiOptions(TimeSpan.FromSeconds(1), 3), TimeProvider.System);
        var site = new SiteHardware(driver, new NetworkBootSeen(fixture.Bmcs));
        return new MachineLifecycle(database.Inventory, database.Reservations, new PowerDrivers(ImmutableDictionary<string, SiteHardware>.Empty.Add("lon", site)),
            new LifecycleOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), TimeProvider.System);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    /// <summary>Completes a boot task once the machine's BMC was told to boot from the network and the machine is on.</summary>
    private sealed class NetworkBootSeen(IReadOnlyList<SimulatedBmc> bmcs) : IBootTaskCompletions
    {
        public async Task<BootTaskOutcome?> WaitAsync(Machine machine, BootImage image, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            var bmc = bmcs.Single(b => b.Port == machine.Bmc!.Port);
            while (DateTimeOffset.UtcNow < deadline)
            {
                var events = bmc.Events;
                var pxe = events.ToList().IndexOf("boot pxe");
                if (pxe >= 0 && events.Skip(pxe).LastOrDefault() == "power 1" && bmc.PoweredOn)
                {
                    return BootTaskOutcome.Success;
                }

                await Task.Delay(50, cancellationToken);
            }

            return null;
        }
    }
}
