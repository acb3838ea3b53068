using System.Text.Json.Nodes;
using Fleet.Providers.Gcp.Tests.Fake;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Gcp;

/// <summary>
/// <c>fleetctl plan</c> and <c>apply</c> with a GCP pool, in-process, against the fake Compute Engine:
/// the fleet's <c>gcp.endpoint</c> points at it and <c>gcp.credentials</c> is a service-account key in
/// an environment variable, exchanged for a token through the key's <c>token_uri</c>.
/// </summary>
public sealed class GcpPlanApplyTests : IAsyncLifetime
{
    private readonly TestFleet fleet = TestFleet.Quickstart();
    private FakeComputeEngine compute = null!;

    public async Task InitializeAsync()
    {
        compute = await FakeComputeEngine.StartAsync();
        await File.AppendAllTextAsync(Path.Combine(fleet.Directory, "fleet.yaml"), $"""
            gcp:
              project: {FakeComputeEngine.Project}
              credentials: env:FLEET_GCP_KEY
              endpoint: {compute.Endpoint.AbsoluteUri}

            """);
        await File.WriteAllTextAsync(Path.Combine(fleet.Directory, "pools", "gcp.yaml"), """
            apiVersion: fleet/v1
            kind: Pool
            name: web-euw1
            role: web
            backend: gcp
            gcp: { zone: europe-west1-b, machineType: n2-standard-8 }
            size: 2

            """);
        fleet.SetEnvironment("FLEET_GCP_KEY", compute.CreateServiceAccountKey());
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
    }

    public async Task DisposeAsync()
    {
        fleet.Dispose();
        await compute.DisposeAsync();
    }

    [Fact]
    public async Task Plan_shows_the_group_apply_creates_and_resizes_it_and_plan_is_then_empty()
    {
        var plan = await fleet.RunAsync("plan");
        Assert.Equal((0, string.Empty), (plan.Exit, plan.Err));
        Assert.Contains("  # pool/web-euw1 (gcp)\n  + create_group", plan.Out, StringComparison.Ordinal);

        var apply = await fleet.RunAsync("apply", "--auto-approve");
        Assert.Equal((0, string.Empty), (apply.Exit, apply.Err));
        Assert.Equal((2, true), (compute.State.FindGroup("europe-west1-b", "web-euw1")!.TargetSize, compute.State.FindGroup("europe-west1-b", "web-euw1")!.IsStable));
        var empty = await fleet.RunAsync("plan", "--detailed-exitcode");
        Assert.Equal(0, empty.Exit);
        Assert.Contains("No changes. The fleet matches the desired state.", empty.Out, StringComparison.Ordinal);

        fleet.Resize("web-euw1", 4);
        var resize = await fleet.RunAsync("plan", "--format", "json");
        var change = JsonNode.Parse(resize.Out)!["changes"]!.AsArray().Single()!;
        Assert.Equal(("pool/web-euw1", "gcp", "resize", 2, 4), (
            change["address"]!.GetValue<string>(), change["provider"]!.GetValue<string>(), change["action"]!.GetValue<string>(),
            change["before"]!["size"]!.GetValue<int>(), change["after"]!["size"]!.GetValue<int>()));
        var applyResize = await fleet.RunAsync("apply", "--auto-approve");
        Assert.Equal((0, string.Empty), (applyResize.Exit, applyResize.Err));
        Assert.EndsWith("Apply complete: 1 succeeded, 0 failed, 0 skipped.\n", applyResize.Out, StringComparison.Ordinal);
        Assert.Equal((4, 4, true), (compute.State.FindGroup("europe-west1-b", "web-euw1")!.TargetSize, compute.State.FindGroup("europe-west1-b", "web-euw1")!.Instances, compute.State.FindGroup("europe-west1-b", "web-euw1")!.IsStable));
        Assert.Equal(0, (await fleet.RunAsync("plan", "--detailed-exitcode")).Exit);
        Assert.All(new[] { plan.Out, apply.Out, resize.Out, applyResize.Out }, text => Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_saved_plan_is_refused_when_the_group_was_resized_by_hand_since()
    {
        Assert.Equal(0, (await fleet.RunAsync("apply", "--auto-approve")).Exit);
        fleet.Resize("web-euw1", 3);
        Assert.Equal(0, (await fleet.RunAsync("plan", "--out", "resize.json")).Exit);
        compute.State.ResizeByHand("europe-west1-b", "web-euw1", 5);

        var apply = await fleet.RunAsync("apply", "resize.json");

        Assert.Equal(1, apply.Exit);
        Assert.Contains("group/web-euw1 changed in GCP since the plan was made", apply.Err, StringComparison.Ordinal);
        Assert.Equal(5, compute.State.FindGroup("europe-west1-b", "web-euw1")!.TargetSize);
    }

    [Fact]
    public async Task A_missing_key_variable_is_a_user_error_at_the_credentials_field()
    {
        fleet.SetEnvironment("FLEET_GCP_KEY", string.Empty);

        var plan = await fleet.RunAsync("plan");

        Assert.Equal(1, plan.Exit);
        Assert.Matches(@"^fleet\.yaml:\d+:\d+: error: the environment variable FLEET_GCP_KEY \(from 'env:FLEET_GCP_KEY'\) is not set\n", plan.Err);
    }
}
