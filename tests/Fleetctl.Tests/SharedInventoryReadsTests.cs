using Fleet.Engine.Inventory;

namespace Fleetctl.Tests;

/// <summary>
/// The providers share one list of the machines while a plan reads its actual state, and only then:
/// outside that scope (apply, zone pushes) every read sees the inventory as it is.
/// </summary>
public sealed class SharedInventoryReadsTests() : QuickstartInventory("fleet-shared-reads-")
{
    [Fact]
    public async Task Within_a_plan_read_every_provider_gets_the_same_list_and_afterwards_reads_are_fresh()
    {
        var reads = new SharedInventoryReads(Database.Inventory);
        string serial;
        using (reads.Share())
        {
            var before = await reads.ListMachinesAsync(null, CancellationToken.None);
            serial = before[0].HardwareName;
            await Database.Inventory.TransitionAsync(MachineTransition.From(before[0], MachineState.Broken), new AuditContext("test"), CancellationToken.None);

            var again = await reads.ListMachinesAsync(null, CancellationToken.None);
            var filtered = await reads.ListMachinesAsync(new MachineFilter(State: MachineState.Broken), CancellationToken.None);

            Assert.Equal(before, again);
            Assert.Equal(MachineState.Available, again[0].State);
            Assert.Equal(serial, Assert.Single(filtered).HardwareName);
        }

        var after = await reads.ListMachinesAsync(null, CancellationToken.None);

        Assert.Equal(MachineState.Broken, after.Single(m => m.HardwareName == serial).State);
    }

    [Fact]
    public async Task A_list_read_ahead_serves_the_first_plan_read_only()
    {
        var ahead = await Database.Inventory.ListMachinesAsync(null, CancellationToken.None);
        var reads = new SharedInventoryReads(Database.Inventory, Task.FromResult(ahead));
        await Database.Inventory.TransitionAsync(MachineTransition.From(ahead[0], MachineState.Broken), new AuditContext("test"), CancellationToken.None);

        using (reads.Share())
        {
            Assert.Equal(ahead, await reads.ListMachinesAsync(null, CancellationToken.None));
        }

        using (reads.Share())
        {
            Assert.Equal(MachineState.Broken, (await reads.ListMachinesAsync(null, CancellationToken.None))[0].State);
        }
    }
}
