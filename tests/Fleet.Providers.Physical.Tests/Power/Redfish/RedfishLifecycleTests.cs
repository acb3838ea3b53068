using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Providers.Physical.Power;
using Fleet.Providers.Physical.Tests.Lifecycle;
using Fleet.State;
using Fleet.State.Tests;

namespace Fleet.Providers.Physical.Tests.Power.Redfish;

/// <summary>Installs through the machine lifecycle with the redfish driver against fake BMCs, on a real inventory.</summary>
public sealed class RedfishLifecycleTests(SqliteProvider provider) : IClassFixture<SqliteProvider>
{
    private static readonly ApplyContext Context = new("alice@ci", "abc123", "sha256:1", TimeProvider.System) { JobId = "7" };

    [Theory]
    [InlineData("Off", "On")]
    [InlineData("On", "PowerCycle")]
    public async Task An_install_sets_one_time_PXE_then_boots_the_machine_and_ends_in_use(string powerState, string reset)
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = powerState;
        await using var database = await DatabaseAsync(bed);
        var physical = Provider(database, bed);

        var result = await physical.ApplyAsync(LifecycleHarness.Install("1", "SN1"), Context, CancellationToken.None);

        Assert.Equal(ChangeStatus.Applied, result.Status);
        Assert.Equal(MachineState.InUse, (await database.Inventory.GetMachineAsync("SN1", CancellationToken.None))!.State);
        Assert.Equal([reset], bed.Bmc.Resets);
        Assert.Equal(["Pxe"], bed.Bmc.Boots);
        var patch = bed.Bmc.Requests.Single(r => r.Method == "PATCH");
        var resetAt = bed.Bmc.Requests.Single(r => r.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal));
        Assert.True(patch.At <= resetAt.At, "the boot override must be set before the machine boots");
    }

    [Fact]
    public async Task A_wrong_BMC_password_fails_the_attempt_with_a_clear_message_and_leaves_the_machine_installing_for_the_retry()
    {
        await using var bed = await RedfishBed.StartAsync();
        await using var database = await DatabaseAsync(bed);
        const string wrong = "wr0ng-Pa55word";
        var physical = Provider(database, bed, password: wrong);

        var result = await physical.ApplyAsync(LifecycleHarness.Install("1", "SN1"), Context, CancellationToken.None);

        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.StartsWith($"redfish BMC 127.0.0.1:{bed.Server.PortOf(bed.Bmc)} of SN1: login as fleet failed: HTTP 401 Unauthorized", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, result.Message, StringComparison.Ordinal);
        Assert.Equal(MachineState.Installing, (await database.Inventory.GetMachineAsync("SN1", CancellationToken.None))!.State);
        Assert.Empty(bed.Bmc.Resets);
    }

    private async Task<StateDatabase> DatabaseAsync(RedfishBed bed)
    {
        var database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, TimeProvider.System, CancellationToken.None);
        var record = new ReconRecord("SN1", "high-io", "lon", "r1", new BmcEndpoint("127.0.0.1", bed.Server.PortOf(bed.Bmc)),
            [new NetworkInterface("eth0", "02:00:00:00:00:01", null)], SourceLocation.OfFile("recon.json"), 1);
        await database.Inventory.IngestAsync([record], LifecycleHarness.Audit, CancellationToken.None);
        return database;
    }

    private static PhysicalProvider Provider(StateDatabase database, RedfishBed bed, string? password = null)
    {
        var site = new SiteHardware(bed.Driver(password: password), new NetworkBoots(bed));
        var lifecycle = new MachineLifecycle(
            database.Inventory,
            database.Reservations,
            new PowerDrivers(ImmutableDictionary<string, SiteHardware>.Empty.Add("lon", site)),
            new LifecycleOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)),
            TimeProvider.System);
        return new PhysicalProvider(database.Inventory, lifecycle);
    }

    /// <summary>Stands in for the installer's completion callback: done once the fake BMC's system booted from the network.</summary>
    private sealed class NetworkBoots(RedfishBed bed) : IBootTaskCompletions
    {
        public async Task<BootTaskOutcome?> WaitAsync(Machine machine, BootImage image, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            var bmc = bed.Server.Bmcs.Single(b => b.Serial == machine.HardwareName);
            while (!bmc.Boots.Contains("Pxe"))
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    return null;
                }

                await Task.Delay(20, cancellationToken);
            }

            return BootTaskOutcome.Success;
        }
    }
}
