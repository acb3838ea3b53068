using Fleet.Engine.Inventory;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// Planning builds the physical provider without power drivers, apply and worker build it to apply:
/// a real BMC site whose password cannot be read plans fine, and is refused at apply (and by a worker)
/// with its place in fleet.yaml before anything changes.
/// </summary>
public sealed class ProviderWiringTests : IDisposable
{
    private readonly TestFleet fleet = TestFleet.Quickstart();

    public void Dispose() => fleet.Dispose();

    [Fact]
    public async Task An_ipmi_site_without_its_password_is_planned_but_refused_by_apply_and_worker_before_anything_changes()
    {
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        var path = Path.Combine(fleet.Directory, "fleet.yaml");
        var yaml = await File.ReadAllTextAsync(path);
        var simulated = yaml.IndexOf("power: { driver: simulated", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, string.Concat(yaml.AsSpan(0, simulated), "power: { driver: ipmi, username: admin, password: env:BMC_PASSWORD }", yaml.AsSpan(yaml.IndexOf('\n', simulated))));

        var plan = await fleet.RunAsync("plan");
        var apply = await fleet.RunAsync("apply", "--auto-approve");
        var worker = await fleet.RunAsync("worker", "--once");

        Assert.Equal(0, plan.Exit);
        Assert.Contains("Plan: 21 to install", plan.Out, StringComparison.Ordinal);
        const string Refusal = "BMC_PASSWORD";
        Assert.Equal(1, apply.Exit);
        Assert.Contains($"fleet.yaml:12:", apply.Err, StringComparison.Ordinal);
        Assert.Contains(Refusal, apply.Err, StringComparison.Ordinal);
        Assert.Equal(1, worker.Exit);
        Assert.Contains(Refusal, worker.Err, StringComparison.Ordinal);
        Assert.All(await fleet.MachinesAsync(), m => Assert.Equal(MachineState.Available, m.State));
    }
}
