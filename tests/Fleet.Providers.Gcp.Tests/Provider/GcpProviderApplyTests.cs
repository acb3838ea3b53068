using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Gcp;
using Fleet.Providers.Gcp.Compute;
using Fleet.Providers.Gcp.Planning;
using Fleet.Providers.Gcp.Tests.Fake;
using Fleet.Tests.Shared;
using static Fleet.Providers.Gcp.Tests.Planning.GcpFleet;

namespace Fleet.Providers.Gcp.Tests.Provider;

/// <summary>
/// The provider end to end against the fake Compute Engine: read, plan, apply each change (waiting for
/// the operation and for the group to be stable), and plan again to nothing; idempotent re-runs; failures.
/// </summary>
public sealed class GcpProviderApplyTests : FakeCompute
{
    private static readonly GcpApplyOptions Fast = new(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
    private static readonly ApplyContext Context = new("test", null, "sha256:0", TimeProvider.System);
    private const string Zone = "europe-west1-b";

    private ImmutableArray<PoolRecord> records = [];

    private GcpProvider Provider(GcpApplyOptions? options = null)
    {
        var key = Fake.CreateServiceAccountKey();
        var spec = Desired([], endpoint: Fake.Endpoint.AbsoluteUri, credentials: "env:GCP_KEY").Fleet.Gcp()! with { Project = FakeComputeEngine.Project };
        var http = new HttpClient();
        var connection = GcpConnection.For(spec, "/", name => name == "GCP_KEY" ? key : null, http, TimeProvider.System, FastOptions);
        return new GcpProvider(connection, _ => Task.FromResult(records), options ?? Fast);
    }

    private static DesiredState Fleet(params PoolSpec[] pools)
    {
        var desired = Desired(pools, endpoint: "unused", credentials: "env:GCP_KEY");
        return desired with { Fleet = desired.Fleet.WithGcp(desired.Fleet.Gcp()! with { Project = FakeComputeEngine.Project }) };
    }

    private static async Task<ProviderPlan> PlanAsync(GcpProvider provider, DesiredState desired, PlanOptions? options = null) =>
        provider.Plan(new ProviderPlanRequest(desired, await provider.ReadActualStateAsync(desired, CancellationToken.None), options ?? PlanOptions.Default, [], new ActionCatalog(GcpActions.All)));

    private static async Task<ImmutableArray<ChangeResult>> ApplyAllAsync(GcpProvider provider, ProviderPlan plan)
    {
        var results = ImmutableArray.CreateBuilder<ChangeResult>();
        foreach (var change in plan.Changes)
        {
            results.Add(await provider.ApplyAsync(change.Change, Context, CancellationToken.None));
        }

        return results.ToImmutable();
    }

    [Fact]
    public async Task A_new_pool_is_created_waited_for_until_stable_and_then_plans_nothing()
    {
        var provider = Provider();
        var desired = Fleet(Pool("fancydb-euw1", 3));

        var plan = await PlanAsync(provider, desired);
        var results = await ApplyAllAsync(provider, plan);

        Assert.Equal([ChangeStatus.Applied], results.Select(r => r.Status).ToArray());
        var group = Fake.State.FindGroup(Zone, "fancydb-euw1")!;
        Assert.True(group.IsStable); // apply returned only once the instances were up
        Assert.Equal((3, 3, "managed by fleetctl: fleet acme, pool fancydb-euw1"), (group.TargetSize, group.Instances, group.Description));
        Assert.Equal(plan.Changes[0].Change.Parameters["template"], group.Template);
        Assert.Empty((await PlanAsync(provider, desired)).Changes);
        Assert.Equal(ChangeStatus.AlreadyApplied, (await provider.ApplyAsync(plan.Changes[0].Change, Context, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_resize_waits_for_the_new_instances_and_is_idempotent()
    {
        var provider = Provider();
        await ApplyAllAsync(provider, await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 2))));

        var plan = await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 5)));
        var change = Assert.Single(plan.Changes).Change;
        var first = await provider.ApplyAsync(change, Context, CancellationToken.None);
        var again = await provider.ApplyAsync(change, Context, CancellationToken.None);

        Assert.Equal((GcpActions.Resize.Action, ChangeStatus.Applied, ChangeStatus.AlreadyApplied), (change.Action, first.Status, again.Status));
        Assert.Equal((5, 5, true), (Fake.State.FindGroup(Zone, "fancydb-euw1")!.TargetSize, Fake.State.FindGroup(Zone, "fancydb-euw1")!.Instances, Fake.State.FindGroup(Zone, "fancydb-euw1")!.IsStable));
        Assert.Empty((await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 5)))).Changes);
    }

    [Fact]
    public async Task A_new_machine_type_gives_a_new_template_that_new_instances_use()
    {
        var provider = Provider();
        await ApplyAllAsync(provider, await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 2))));
        var before = Fake.State.FindGroup(Zone, "fancydb-euw1")!.Template;

        var plan = await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 3, machineType: "n2-standard-16")));
        var results = await ApplyAllAsync(provider, plan);

        Assert.Equal([GcpActions.UpdateTemplate.Action, GcpActions.Resize.Action], plan.Changes.Select(c => c.Change.Action).ToArray());
        Assert.All(results, r => Assert.Equal(ChangeStatus.Applied, r.Status));
        var group = Fake.State.FindGroup(Zone, "fancydb-euw1")!;
        Assert.NotEqual(before, group.Template);
        Assert.Equal(plan.Changes[0].Change.Parameters["template"], group.Template);
        Assert.Contains(before, Fake.State.TemplateNames()); // the old template stays: existing instances still use it
        Assert.Empty((await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 3, machineType: "n2-standard-16")))).Changes);
    }

    [Fact]
    public async Task A_removed_pool_is_deleted_only_with_allow_destroy_and_the_group_goes_away()
    {
        var provider = Provider();
        await ApplyAllAsync(provider, await PlanAsync(provider, Fleet(Pool("old-euw1", 1))));
        records = [Record("old-euw1", isProtected: false)]; // as apply records every pool it applied

        Assert.Empty((await PlanAsync(provider, Fleet())).Changes);
        var plan = await PlanAsync(provider, Fleet(), PlanOptions.Default with { AllowDestroy = true });
        var results = await ApplyAllAsync(provider, plan);

        Assert.Equal(GcpActions.DeleteGroup.Action, Assert.Single(plan.Changes).Change.Action);
        Assert.Equal(ChangeStatus.Applied, Assert.Single(results).Status);
        Assert.Null(Fake.State.FindGroup(Zone, "old-euw1"));
        Assert.Equal(ChangeStatus.AlreadyApplied, (await provider.ApplyAsync(plan.Changes[0].Change, Context, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_protected_removed_pool_is_kept()
    {
        var provider = Provider();
        await ApplyAllAsync(provider, await PlanAsync(provider, Fleet(Pool("old-euw1", 1))));
        records = [Record("old-euw1", isProtected: true)];

        var plan = await PlanAsync(provider, Fleet());

        Assert.Empty(plan.Changes);
        Assert.Contains("the pool is protected", Assert.Single(plan.Limits), StringComparison.Ordinal);
        Assert.NotNull(Fake.State.FindGroup(Zone, "old-euw1"));
    }

    [Fact]
    public async Task A_group_that_does_not_become_stable_in_time_fails_the_attempt_saying_what_it_is_doing()
    {
        await using var slow = await FakeComputeEngine.StartAsync(FakeComputeTimings.Fast with { InstanceStart = TimeSpan.FromSeconds(30) });
        var key = slow.CreateServiceAccountKey();
        var spec = new GcpSpec(FakeComputeEngine.Project, "env:K", slow.Endpoint.AbsoluteUri, FieldLocations.At(new("fleet.yaml", 1, 1)));
        using var http = new HttpClient();
        var provider = new GcpProvider(GcpConnection.For(spec, "/", _ => key, http, TimeProvider.System, FastOptions), _ => Task.FromResult(records),
            new GcpApplyOptions(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20)));

        var plan = await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 2)));
        var result = await provider.ApplyAsync(plan.Changes[0].Change, Context, CancellationToken.None);

        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Equal($"pool/fancydb-euw1: projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/fancydb-euw1 did not become stable within 2s (2 CREATING)", result.Message);
    }

    [Fact]
    public async Task A_failed_operation_fails_the_attempt_with_the_operations_error_and_a_retry_converges()
    {
        var provider = Provider();
        await ApplyAllAsync(provider, await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 1))));
        var change = Assert.Single((await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 4)))).Changes).Change;
        Fake.State.FailNextOperation("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.");

        var failed = await provider.ApplyAsync(change, Context, CancellationToken.None);
        var retried = await provider.ApplyAsync(change, Context with { Attempt = 2 }, CancellationToken.None);

        Assert.Equal(ChangeStatus.Failed, failed.Status);
        Assert.EndsWith("failed in project fleet-test-project: QUOTA_EXCEEDED: Quota 'CPUS' exceeded.", failed.Message, StringComparison.Ordinal);
        Assert.StartsWith("pool/fancydb-euw1: resize of projects/fleet-test-project/zones/europe-west1-b/instanceGroupManagers/fancydb-euw1 to 4", failed.Message, StringComparison.Ordinal);
        Assert.Equal(ChangeStatus.Applied, retried.Status);
    }

    [Fact]
    public async Task A_group_fleetctl_does_not_manage_is_never_changed_even_by_a_forged_change()
    {
        var provider = Provider();
        Fake.State.SeedGroup(Zone, "fancydb-euw1", "hand made", "handmade-template", 2);
        var plan = await PlanAsync(provider, Fleet(Pool("fancydb-euw1", 5)));
        var forged = new PlannedChange
        {
            Id = "1",
            Address = "pool/fancydb-euw1",
            Provider = "gcp",
            Action = GcpActions.Resize.Action,
            Reason = "grow",
            Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
                KeyValuePair.Create("fleet", "acme"), KeyValuePair.Create("pool", "fancydb-euw1"), KeyValuePair.Create("zone", Zone), KeyValuePair.Create("size", "5")]),
        };

        var result = await provider.ApplyAsync(forged, Context, CancellationToken.None);

        Assert.Empty(plan.Changes);
        Assert.Contains("fleetctl does not manage it", Assert.Single(plan.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Contains("is not managed by fleet acme; fleetctl leaves it alone", result.Message, StringComparison.Ordinal);
        Assert.Equal(2, Fake.State.FindGroup(Zone, "fancydb-euw1")!.TargetSize);
    }

    [Fact]
    public async Task A_fleet_with_no_gcp_pools_never_reads_gcp()
    {
        var provider = Provider();

        var snapshot = (GcpSnapshot)await provider.ReadActualStateAsync(Fleet(), CancellationToken.None);

        Assert.Empty(snapshot.Groups);
        Assert.Empty(Fake.Calls);
        Assert.Equal(0, Fake.TokenExchanges);
    }

    [Fact]
    public async Task An_unreadable_project_is_a_user_error_naming_it()
    {
        var provider = Provider();
        Fake.FailNextCalls(403, "forbidden", times: 1);

        var error = await Assert.ThrowsAsync<Fleet.Engine.Diagnostics.FleetException>(() => provider.ReadActualStateAsync(Fleet(Pool("fancydb-euw1", 1)), CancellationToken.None));

        Assert.StartsWith(
            $"cannot read the managed instance groups of GCP project {FakeComputeEngine.Project}: GET projects/{FakeComputeEngine.Project}/aggregated/instanceGroupManagers: 403 forbidden",
            Assert.Single(error.Diagnostics).Message, StringComparison.Ordinal);
    }
}
