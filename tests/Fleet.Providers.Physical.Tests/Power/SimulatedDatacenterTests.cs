using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Providers.Physical.Power;

namespace Fleet.Providers.Physical.Tests.Power;

public class SimulatedDatacenterTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(30);

    [Fact]
    public async Task Says_it_is_not_real_hardware_and_starts_machines_powered_off()
    {
        var datacenter = new SimulatedDatacenter(SimulatedSiteOptions.Default, TimeProvider.System);

        Assert.False(datacenter.IsRealHardware);
        Assert.Equal("simulated", datacenter.Name);
        Assert.Equal(PowerState.Off, await datacenter.GetPowerStateAsync(Machine("A"), CancellationToken.None));
    }

    [Fact]
    public async Task Runs_the_installer_only_after_a_one_time_pxe_boot_and_reports_its_completion()
    {
        var datacenter = new SimulatedDatacenter(new SimulatedSiteOptions(Short, Short, 0, 1), TimeProvider.System);
        var machine = Machine("A");

        await datacenter.PowerOnAsync(machine, CancellationToken.None);
        Assert.Null(await datacenter.WaitAsync(machine, BootImage.Installer, DateTimeOffset.UtcNow.AddMilliseconds(50), CancellationToken.None));

        await datacenter.SetOneTimePxeBootAsync(machine, BootImage.Installer, CancellationToken.None);
        await datacenter.PowerCycleAsync(machine, CancellationToken.None);
        var outcome = await datacenter.WaitAsync(machine, BootImage.Installer, DateTimeOffset.UtcNow.AddSeconds(5), CancellationToken.None);

        Assert.Equal(BootTaskOutcome.Success, outcome);
        Assert.Equal(1, datacenter.BootsOf("A"));

        // The override was for one boot only: the next cycle boots from disk.
        await datacenter.PowerCycleAsync(machine, CancellationToken.None);
        Assert.Equal(1, datacenter.BootsOf("A"));
        Assert.Null(await datacenter.WaitAsync(machine, BootImage.Installer, DateTimeOffset.UtcNow.AddMilliseconds(50), CancellationToken.None));
    }

    [Fact]
    public async Task A_task_longer_than_the_deadline_is_reported_as_no_completion()
    {
        var datacenter = new SimulatedDatacenter(new SimulatedSiteOptions(TimeSpan.FromSeconds(10), Short, 0, 1), TimeProvider.System);
        var machine = Machine("A");
        await datacenter.SetOneTimePxeBootAsync(machine, BootImage.Installer, CancellationToken.None);
        await datacenter.PowerOnAsync(machine, CancellationToken.None);

        Assert.Null(await datacenter.WaitAsync(machine, BootImage.Installer, DateTimeOffset.UtcNow.AddMilliseconds(50), CancellationToken.None));
    }

    [Fact]
    public async Task Fails_the_configured_share_of_installs_the_same_way_for_the_same_seed()
    {
        var first = await FailuresAsync(seed: 7);
        var again = await FailuresAsync(seed: 7);
        var other = await FailuresAsync(seed: 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.InRange(first.Count, 40, 80); // 30% of 200
    }

    private static async Task<ImmutableHashSet<string>> FailuresAsync(int seed)
    {
        var datacenter = new SimulatedDatacenter(new SimulatedSiteOptions(TimeSpan.Zero, TimeSpan.Zero, 0.3, seed), TimeProvider.System);
        var failed = ImmutableHashSet.CreateBuilder<string>();
        for (var i = 0; i < 200; i++)
        {
            var machine = Machine($"SN{i}");
            await datacenter.SetOneTimePxeBootAsync(machine, BootImage.Installer, CancellationToken.None);
            await datacenter.PowerOnAsync(machine, CancellationToken.None);
            var outcome = await datacenter.WaitAsync(machine, BootImage.Installer, DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);
            if (!outcome!.Succeeded)
            {
                Assert.Contains("simulated installer failure", outcome.Error, StringComparison.Ordinal);
                failed.Add(machine.HardwareName);
            }
        }

        return failed.ToImmutable();
    }

    internal static Machine Machine(string serial) => new(
        serial, "high-io", "lon", "r1", null, [], MachineState.Available, null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);
}
