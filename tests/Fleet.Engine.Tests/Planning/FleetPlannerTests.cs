using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using static Fleet.Engine.Tests.Planning.ScriptedProvider;
using static Fleet.Testing.TestFleet;

namespace Fleet.Engine.Tests.Planning;

public sealed class FleetPlannerTests
{
    private static readonly Func<ProviderPlanRequest, ProviderPlan> Nothing = _ => ProviderPlan.Empty;

    [Fact]
    public async Task Reads_every_provider_and_numbers_changes_in_provider_order()
    {
        var physical = new ScriptedProvider("physical", _ => Changes(
            Change("physical", "pool/a", TestActions.Install, "lon", "S1"),
            Change("physical", "pool/a", TestActions.Recycle, "lon", "S2")), "physical");
        var gcp = new ScriptedProvider("gcp", _ => Changes(Change("gcp", "pool/b", TestActions.Resize)), "gcp");

        var plan = await new FleetPlanner([physical, gcp]).PlanAsync(Desired([]), PlanSource.Worktree, PlanOptions.Default, CancellationToken.None);

        Assert.Equal(1, physical.Reads);
        Assert.Equal(1, gcp.Reads);
        Assert.Equal(["1 physical install", "2 physical recycle", "3 gcp resize"], plan.Changes.Select(c => $"{c.Id} {c.Provider} {c.Action}").ToArray());
        Assert.Equal(PlanFile.ComputeChecksum(plan), plan.Checksum);
    }

    [Fact]
    public void Dependencies_declared_by_selector_become_ids_and_order_the_plan()
    {
        // DNS is registered first here, yet its push must come after the installs in its site.
        var dns = new ScriptedProvider("dns", request => new ProviderPlan(
            [new ProposedChange(Change("dns", "zone/lon.acme.net", TestActions.ZonePush), [new ChangeSelector(Provider: "physical", Site: "lon")])],
            ImmutableSortedDictionary<string, string>.Empty, [], [], [], []));
        var physical = new ScriptedProvider("physical", _ => Changes(
            Change("physical", "pool/a", TestActions.Install, "lon", "S1"),
            Change("physical", "pool/b", TestActions.Install, "sto", "S2"),
            Change("physical", "pool/a", TestActions.Recycle, "lon", "S3")), "physical");

        var plan = new FleetPlanner([dns, physical]).Plan(Desired([]), Snapshots(dns, physical), PlanSource.Worktree, PlanOptions.Default);

        Assert.Equal(
            ["1 install S1 []", "2 install S2 []", "3 recycle S3 []", "4 zone_push  [1,3]"],
            plan.Changes.Select(c => $"{c.Id} {c.Action} {c.Machine} [{string.Join(',', c.DependsOn)}]").ToArray());
    }

    [Fact]
    public void Later_providers_see_the_changes_planned_before_them()
    {
        ImmutableArray<PlannedChange> seen = [];
        var physical = new ScriptedProvider("physical", _ => Changes(Change("physical", "pool/a", TestActions.Install, "lon", "S1")), "physical");
        var dns = new ScriptedProvider("dns", request =>
        {
            seen = request.PriorChanges;
            return ProviderPlan.Empty;
        });

        new FleetPlanner([physical, dns]).Plan(Desired([]), Snapshots(physical, dns), PlanSource.Worktree, PlanOptions.Default);

        Assert.Equal("S1", Assert.Single(seen).Machine);
    }

    [Fact]
    public void Errors_of_every_provider_are_reported_together()
    {
        var a = new ScriptedProvider("a", _ => ProviderPlan.Empty with { Errors = [Diagnostic.Error("first shortfall")] });
        var b = new ScriptedProvider("b", _ => ProviderPlan.Empty with { Errors = [Diagnostic.Error("second shortfall")] });

        var error = Assert.Throws<FleetException>(() => new FleetPlanner([a, b]).Plan(Desired([]), Snapshots(a, b), PlanSource.Worktree, PlanOptions.Default));

        Assert.Equal(["error: first shortfall", "error: second shortfall"], error.Diagnostics.Select(d => d.ToString()).ToArray());
    }

    [Fact]
    public void A_plan_over_the_recycle_limit_is_refused_unless_forced_and_then_says_so()
    {
        var physical = new ScriptedProvider("physical", _ => ProviderPlan.Empty with
        {
            Changes = [ProposedChange.Of(Change("physical", "pool/a", TestActions.Recycle, "lon", "S1"))],
            Disruptions = [new Disruption("pool/a", 10, 5, "in-service machines recycled or reimaged")],
        }, "physical");
        var planner = new FleetPlanner([physical]);

        var refused = Assert.Throws<FleetException>(() => planner.Plan(Desired([]), Snapshots(physical), PlanSource.Worktree, PlanOptions.Default));
        var forced = planner.Plan(Desired([]), Snapshots(physical), PlanSource.Worktree, new PlanOptions(PlanSelection.All, Force: true));

        const string Reason = "pool/a: 5 of 10 in-service machines recycled or reimaged; safety.maxRecyclePercent 25% allows at most 2 per apply";
        Assert.Equal(
            [$"error: unsafe plan: {Reason}", "error: the plan exceeds the safety limits above; review it and rerun with --force to accept it"],
            refused.Diagnostics.Select(d => d.ToString()).ToArray());
        Assert.Equal([$"forced: {Reason}"], forced.Limits.ToArray());
    }

    [Fact]
    public void The_recycle_limit_comes_from_the_fleet_safety_settings()
    {
        var physical = new ScriptedProvider("physical", _ => ProviderPlan.Empty with
        {
            Disruptions = [new Disruption("pool/a", 10, 5, "machines")],
        }, "physical");

        var plan = new FleetPlanner([physical]).Plan(Desired([], maxRecyclePercent: 50), Snapshots(physical), PlanSource.Worktree, PlanOptions.Default);

        Assert.Empty(plan.Limits);
    }

    [Fact]
    public void Provider_specific_unsafe_reasons_need_force_too()
    {
        var dns = new ScriptedProvider("dns", _ => ProviderPlan.Empty with { Unsafe = ["zone/lon.acme.net: 40% of 20 records change"] });

        var error = Assert.Throws<FleetException>(() => new FleetPlanner([dns]).Plan(Desired([]), Snapshots(dns), PlanSource.Worktree, PlanOptions.Default));

        Assert.Equal("unsafe plan: zone/lon.acme.net: 40% of 20 records change", error.Diagnostics[0].Message);
    }

    [Fact]
    public void Guards_are_namespaced_by_provider_and_checked_by_their_provider()
    {
        var physical = new ScriptedProvider("physical", _ => ProviderPlan.Empty with
        {
            Guards = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("machine/S1", "stale"), KeyValuePair.Create("pool/a", "3")]),
        }, "physical");
        var dns = new ScriptedProvider("dns", _ => ProviderPlan.Empty with
        {
            Guards = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("zone/lon.acme.net", "stale")]),
        });
        var planner = new FleetPlanner([physical, dns]);

        var plan = planner.Plan(Desired([]), Snapshots(physical, dns), PlanSource.Worktree, PlanOptions.Default);
        var stale = planner.FindStaleGuards(plan with { Guards = plan.Guards.Add("gone:thing/x", "1") }, Snapshots(physical, dns));

        Assert.Equal(["dns:zone/lon.acme.net", "physical:machine/S1", "physical:pool/a"], plan.Guards.Keys.ToArray());
        Assert.Equal(
            ["physical machine/S1 is stale", "dns zone/lon.acme.net is stale", "guard gone:thing/x belongs to a provider this fleetctl does not have"],
            stale.ToArray());
    }

    [Fact]
    public void A_pool_whose_backend_no_provider_serves_is_a_validation_error()
    {
        var physical = new ScriptedProvider("physical", Nothing, "physical");

        var diagnostics = new FleetPlanner([physical]).Validate(Desired([GcpPool("cloud", "fancydb", 3), Pool("db", "fancydb", 1)]));

        Assert.Equal(["pools/cloud.yaml:5:10: error: pool cloud: no provider serves backend 'gcp' in this fleetctl"], diagnostics.Select(d => d.ToString()).ToArray());
    }

    [Fact]
    public async Task An_invalid_desired_state_is_refused_before_any_provider_is_read()
    {
        var physical = new ScriptedProvider("physical", Nothing, "physical");

        await Assert.ThrowsAsync<FleetException>(() =>
            new FleetPlanner([physical]).PlanAsync(Desired([GcpPool("cloud", "fancydb", 3)]), PlanSource.Worktree, PlanOptions.Default, CancellationToken.None));

        Assert.Equal(0, physical.Reads);
    }

    [Fact]
    public void A_provider_emitting_an_action_it_did_not_declare_is_a_bug_not_a_plan()
    {
        var liar = new ScriptedProvider("liar", _ => Changes(Change("someone-else", "pool/a", TestActions.Install)));

        Assert.Throws<InvalidOperationException>(() => new FleetPlanner([liar]).Plan(Desired([]), Snapshots(liar), PlanSource.Worktree, PlanOptions.Default));
    }

    [Fact]
    public void Changes_depending_on_each_other_in_a_cycle_are_a_bug_not_a_plan()
    {
        var loop = new ScriptedProvider("loop", _ => ProviderPlan.Empty with
        {
            Changes =
            [
                new ProposedChange(Change("loop", "zone/a", TestActions.ZonePush), [new ChangeSelector(Address: "zone/b")]),
                new ProposedChange(Change("loop", "zone/b", TestActions.ZonePush), [new ChangeSelector(Address: "zone/a")]),
            ],
        });

        Assert.Throws<InvalidOperationException>(() => new FleetPlanner([loop]).Plan(Desired([]), Snapshots(loop), PlanSource.Worktree, PlanOptions.Default));
    }

    private static ProviderPlan Changes(params PlannedChange[] changes) =>
        ProviderPlan.Empty with { Changes = [.. changes.Select(ProposedChange.Of)] };

    private static ImmutableArray<ProviderSnapshot> Snapshots(params ScriptedProvider[] providers) =>
        [.. providers.Select(p => (ProviderSnapshot)new Snapshot(p.Name))];
}
