using System.Text.Json.Nodes;
using Fleet.Engine.Inventory;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Providers;

/// <summary>
/// A fourth provider (<see cref="CmdbProvider"/>) plugs in through the runtime builder with no change
/// under engine/: its fleet.yaml section is validated and in the schema, it plans from the machines
/// the physical provider projects, and apply runs its own action.
/// </summary>
public sealed class FourthProviderTests
{
    private static TestFleet Fleet()
    {
        var fleet = TestFleet.Quickstart();
        var yaml = Path.Combine(fleet.Directory, "fleet.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml) + "cmdb:\n  file: cmdb.json\n");
        return fleet;
    }

    [Fact]
    public async Task Its_section_is_known_only_to_a_fleetctl_built_with_it()
    {
        using var fleet = Fleet();

        var without = await fleet.RunAsync("validate");
        fleet.Runtime = CmdbDefinition.Runtime;
        var with = await fleet.RunAsync("validate");
        var schema = await fleet.RunAsync("schema", "Fleet");

        Assert.Equal(1, without.Exit);
        Assert.Contains("fleet.yaml:31:1: error: unknown field 'cmdb' in Fleet", without.Err, StringComparison.Ordinal);
        Assert.Equal(0, with.Exit);
        Assert.Equal("object", (string?)JsonNode.Parse(schema.Out)!["properties"]!["cmdb"]!["type"]);
    }

    [Fact]
    public async Task A_bad_value_in_its_section_is_a_located_error()
    {
        using var fleet = Fleet();
        fleet.Runtime = CmdbDefinition.Runtime;
        var yaml = Path.Combine(fleet.Directory, "fleet.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("file: cmdb.json", "file: ../outside.json", StringComparison.Ordinal));

        var result = await fleet.RunAsync("validate");

        Assert.Equal(1, result.Exit);
        Assert.Contains("fleet.yaml:32:9: error: cmdb.file '../outside.json' must be a path inside the fleet directory", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_plans_from_the_projected_machines_and_apply_runs_its_action()
    {
        using var fleet = Fleet();
        fleet.Runtime = CmdbDefinition.Runtime;
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);

        var plan = await fleet.RunAsync("plan", "--format", "json");
        var apply = await fleet.RunAsync("apply", "--auto-approve");
        var again = await fleet.RunAsync("plan", "--detailed-exitcode");

        Assert.Equal(0, plan.Exit);
        var changes = JsonNode.Parse(plan.Out)!["changes"]!.AsArray();
        var export = Assert.Single(changes, c => (string?)c!["action"] == "export")!;
        Assert.Equal(1, (int)JsonNode.Parse(plan.Out)!["summary"]!["export"]!);
        var installs = changes.Where(c => (string?)c!["action"] == "install").Select(c => (string)c!["id"]!).ToList();
        Assert.Equal(installs, export["dependsOn"]!.AsArray().Select(d => (string)d!).Where(installs.Contains));
        Assert.True(apply.Exit == 0, apply.Out + apply.Err);
        var exported = JsonNode.Parse(File.ReadAllText(Path.Combine(fleet.Directory, "cmdb.json")))!.AsArray();
        var inUse = (await fleet.MachinesAsync()).Where(m => m.State == MachineState.InUse).ToList();
        Assert.Equal(inUse.Select(m => (m.HardwareName, m.Hostname)).Order(), exported.Select(e => ((string)e!["id"]!, (string?)e["hostname"])).Order());
        Assert.Equal(0, again.Exit);
    }
}
