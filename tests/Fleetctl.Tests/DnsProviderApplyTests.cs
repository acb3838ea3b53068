using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns;
using Fleet.Providers.Physical.Planning;
using Fleet.Tests.Shared;
using Fleetctl.Dns;

namespace Fleetctl.Tests;

/// <summary>
/// The DNS provider over the quickstart fleet and its real SQLite inventory: plan sees an installed
/// machine, apply pushes the zone with method directory into .fleet/zones, a second apply does nothing.
/// </summary>
public sealed class DnsProviderApplyTests() : QuickstartInventory("fleet-dns-apply-")
{
    private readonly CliHost host = new(TextWriter.Null, TextWriter.Null, TextReader.Null, ImmutableDictionary<string, string>.Empty, "/", false, TimeProvider.System);

    [Fact]
    public async Task Apply_pushes_the_zone_with_the_installed_machine_and_is_idempotent()
    {
        var machine = (await Database.Inventory.ListMachinesAsync(null, CancellationToken.None))[0];
        await Database.Inventory.TransitionAsync(MachineTransition.From(machine, MachineState.Installing) with { Hostname = "lon-web-abcde", Role = "web", Pool = "web-lon" }, new AuditContext("test"), CancellationToken.None);
        machine = (await Database.Inventory.GetMachineAsync(machine.HardwareName, CancellationToken.None))!;
        await Database.Inventory.TransitionAsync(MachineTransition.From(machine, MachineState.InUse), new AuditContext("test"), CancellationToken.None);
        var source = new DirectorySource(Fleet);
        var desired = Fleetctl.FleetRuntime.Standard.Loader.LoadOrThrow(source);
        var provider = DnsComposition.CreateProvider(desired, source, Fleet, Database, Database.Inventory, host);

        // The machines as the planner hands them to DNS: the physical provider's projection of the inventory.
        var machines = PhysicalProjection.After(await Database.Inventory.ListMachinesAsync(null, CancellationToken.None), []);
        var plan = provider.Plan(new ProviderPlanRequest(desired, await provider.ReadActualStateAsync(desired, CancellationToken.None), PlanOptions.Default, [], FleetRuntime.Standard.Catalog.Actions) { Machines = machines });
        var lon = plan.Changes.Single(c => c.Change.Address == "zone/lon.example.net").Change;
        var context = new ApplyContext("test", null, "sha256:0", TimeProvider.System);
        var first = await provider.ApplyAsync(lon, context, CancellationToken.None);
        var second = await provider.ApplyAsync(lon, context, CancellationToken.None);

        Assert.Equal(DnsActions.ZoneCreate.Action, lon.Action);
        Assert.Equal(ChangeStatus.Applied, first.Status);
        Assert.Equal(ChangeStatus.AlreadyApplied, second.Status);
        Assert.Null(first.Note); // pushed as planned: nothing to point out
        var zone = await File.ReadAllTextAsync(Path.Combine(Fleet, ".fleet", "zones", "lon.example.net.zone"));
        Assert.Contains($"lon-web-abcde\t300\tIN\tA\t{machine.PrimaryIp}", zone, StringComparison.Ordinal);
        Assert.Contains($"web-lon\t300\tIN\tA\t{machine.PrimaryIp}", zone, StringComparison.Ordinal);
        Assert.Equal(4, plan.Changes.Length);
    }
}
