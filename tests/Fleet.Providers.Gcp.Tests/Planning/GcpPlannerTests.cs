using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Gcp;
using Fleet.Providers.Gcp.Planning;
using Fleet.Tests.Shared;
using static Fleet.Providers.Gcp.Tests.Planning.GcpFleet;

namespace Fleet.Providers.Gcp.Tests.Planning;

/// <summary>The pure GCP plan function, alone and through the engine's planner (ids, dependencies, safety, plan file).</summary>
public sealed class GcpPlannerTests
{
    private static readonly GcpProvider Provider = new(null, _ => Task.FromResult(ImmutableArray<Fleet.Engine.Inventory.PoolRecord>.Empty), GcpApplyOptions.Default);

    private static Plan PlanAll(Fleet.Engine.Model.DesiredState desired, GcpSnapshot actual, PlanOptions? options = null) =>
        new FleetPlanner([Provider]).Plan(desired, [actual], PlanSource.Worktree, options ?? PlanOptions.Default);

    private static string Json(Plan plan) => System.Text.Encoding.UTF8.GetString(PlanFile.Serialize(plan));

    [Fact]
    public void A_new_pool_creates_its_group_from_a_template_named_after_the_pool_and_its_content()
    {
        var plan = PlanAll(Desired([Pool("fancydb-euw1", 20)]), Snapshot());

        var change = Assert.Single(plan.Changes);
        Assert.Equal(("pool/fancydb-euw1", "gcp", GcpActions.CreateGroup.Action, "create"), (change.Address, change.Provider, change.Action, change.Reason));
        Assert.Matches("^fancydb-euw1-[0-9a-f]{10}$", change.Parameters["template"]);
        Assert.Equal(
            $$"""{"zone":"europe-west1-b","machineType":"n2-standard-8","image":"projects/debian-cloud/global/images/family/debian-12","template":"{{change.Parameters["template"]}}","size":20}""",
            change.After!.ToJsonString());
        Assert.Equal("none", plan.Guards["gcp:group/fancydb-euw1"]);
    }

    [Fact]
    public void A_size_change_is_a_resize_shaped_like_the_plan_file_example()
    {
        var plan = PlanAll(Desired([Pool("fancydb-euw1", 20)]), Snapshot(Managed("fancydb-euw1", 18)));

        var change = System.Text.Json.Nodes.JsonNode.Parse(Json(plan))!["changes"]![0]!.AsObject();

        Assert.Equal(
            """{"id":"1","address":"pool/fancydb-euw1","provider":"gcp","action":"resize","before":{"size":18},"after":{"size":20},"reason":"grow"}""",
            new System.Text.Json.Nodes.JsonObject(change.Where(p => p.Key is "id" or "address" or "provider" or "action" or "before" or "after" or "reason")
                .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString());
        Assert.Equal(1, plan.Summary.Single(s => s.Key == "resize").Value);
    }

    [Fact]
    public void A_group_as_declared_plans_nothing_and_guards_nothing()
    {
        var plan = PlanAll(Desired([Pool("fancydb-euw1", 20)]), Snapshot(Managed("fancydb-euw1", 20)));

        Assert.Empty(plan.Changes);
        Assert.Empty(plan.Guards);
    }

    [Fact]
    public void A_new_machine_type_updates_the_template_before_resizing_and_says_existing_instances_keep_theirs()
    {
        var plan = PlanAll(Desired([Pool("fancydb-euw1", 22, machineType: "n2-standard-16")]), Snapshot(Managed("fancydb-euw1", 20)));

        Assert.Equal([GcpActions.UpdateTemplate.Action, GcpActions.Resize.Action], plan.Changes.Select(c => c.Action).ToArray());
        Assert.Equal(["1"], plan.Changes[1].DependsOn.ToArray());
        Assert.Equal(TemplateOf("fancydb-euw1"), plan.Changes[0].Before!["template"]!.GetValue<string>());
        Assert.Equal(TemplateOf("fancydb-euw1", "n2-standard-16"), plan.Changes[0].Parameters["template"]);
        Assert.Contains(plan.Limits, l => l.StartsWith("pool/fancydb-euw1: the new template applies to instances created from now on; the group's 20 existing instances keep template", StringComparison.Ordinal));
    }

    [Fact]
    public void The_template_name_changes_with_machine_type_and_image_and_nothing_else()
    {
        Assert.Equal(TemplateOf("web"), TemplateOf("web"));
        Assert.NotEqual(TemplateOf("web"), TemplateOf("web", machineType: "n2-standard-4"));
        Assert.NotEqual(TemplateOf("web"), TemplateOf("web", image: "projects/debian-cloud/global/images/family/debian-13"));
        Assert.True(GroupTemplates.Build("acme", new string('a', 63), "r", "e2-small", "projects/debian-cloud/global/images/family/debian-12").Name.Length <= 63);
    }

    [Fact]
    public void A_shrink_counts_against_the_safety_limit()
    {
        var error = Assert.Throws<FleetException>(() => PlanAll(Desired([Pool("fancydb-euw1", 10)]), Snapshot(Managed("fancydb-euw1", 20))));

        Assert.Contains(error.Diagnostics, d => d.Message.StartsWith("unsafe plan:", StringComparison.Ordinal) && d.Message.Contains("pool/fancydb-euw1", StringComparison.Ordinal));
        var forced = PlanAll(Desired([Pool("fancydb-euw1", 10)]), Snapshot(Managed("fancydb-euw1", 20)), PlanOptions.Default with { Force = true });
        Assert.Equal("shrink", Assert.Single(forced.Changes).Reason);
    }

    [Fact]
    public void A_group_of_the_pools_name_that_fleetctl_does_not_manage_is_an_error_and_never_touched()
    {
        var mine = Pool("fancydb-euw1", 20);
        var handMade = Managed("fancydb-euw1", 3) with { ManagedBy = null };
        var otherFleet = Managed("fancydb-euw1", 3) with { ManagedBy = "globex" };

        var plan = GcpPlanner.Plan(Desired([mine]), Snapshot(handMade), PlanOptions.Default);
        var other = GcpPlanner.Plan(Desired([mine]), Snapshot(otherFleet), PlanOptions.Default);

        Assert.Empty(plan.Changes);
        Assert.Equal(
            "pools/fancydb-euw1.yaml:3:7: error: pool fancydb-euw1: a managed instance group fancydb-euw1 already exists in europe-west1-b and fleetctl does not manage it (it lacks fleetctl's description); rename the pool or remove that group",
            Assert.Single(plan.Errors).ToString());
        Assert.Contains("(fleet globex manages it)", Assert.Single(other.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(GcpPlanner.Plan(Desired([]), Snapshot(handMade), PlanOptions.Default with { AllowDestroy = true }).Changes);
    }

    [Fact]
    public void A_pool_moved_to_another_zone_is_an_error_at_its_zone()
    {
        var plan = GcpPlanner.Plan(Desired([Pool("fancydb-euw1", 20, zone: "europe-west1-c")]), Snapshot(Managed("fancydb-euw1", 20)), PlanOptions.Default);

        Assert.Empty(plan.Changes);
        Assert.StartsWith("pools/fancydb-euw1.yaml:6:14: error: pool fancydb-euw1: its managed instance group is in zone europe-west1-b, not europe-west1-c", Assert.Single(plan.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_pools_group_is_kept_without_allow_destroy_and_deleted_with_it()
    {
        var actual = Snapshot(Managed("old-euw1", 4));

        var kept = GcpPlanner.Plan(Desired([]), actual, PlanOptions.Default);
        var deleted = PlanAll(Desired([]), actual, PlanOptions.Default with { AllowDestroy = true, Force = true });

        Assert.Empty(kept.Changes);
        Assert.Equal(["pool/old-euw1: no longer declared; its managed instance group in europe-west1-b (4 instances) is kept (plan with --allow-destroy to delete it)"], kept.Limits.ToArray());
        var change = Assert.Single(deleted.Changes);
        Assert.Equal((GcpActions.DeleteGroup.Action, "destroy", "europe-west1-b"), (change.Action, change.Reason, change.Parameters["zone"]));
        Assert.Equal("europe-west1-b/" + TemplateOf("old-euw1") + "/4", deleted.Guards["gcp:group/old-euw1"]);
    }

    [Fact]
    public void A_removed_pool_protected_in_the_inventory_is_never_deleted()
    {
        var actual = Snapshot(Managed("old-euw1", 4)) with { Pools = [Record("old-euw1", isProtected: true)] };

        var kept = GcpPlanner.Plan(Desired([]), actual, PlanOptions.Default);
        var refused = GcpPlanner.Plan(Desired([]), actual, PlanOptions.Default with { AllowDestroy = true });

        Assert.Contains("(the pool is protected)", Assert.Single(kept.Limits), StringComparison.Ordinal);
        Assert.Empty(refused.Changes);
        Assert.Equal(
            "pool old-euw1 is no longer declared but is protected in the inventory; declare it again with protect: false and apply before removing it",
            Assert.Single(refused.Errors).Message);
    }

    [Fact]
    public void Pools_outside_the_selection_are_left_alone()
    {
        var selection = PlanOptions.Default with { Selection = new PlanSelection(["web-*"], [], []), AllowDestroy = true };

        var plan = GcpPlanner.Plan(Desired([Pool("fancydb-euw1", 20)]), Snapshot(Managed("old-euw1", 4)), selection);

        Assert.Empty(plan.Changes);
    }

    [Theory]
    [InlineData("debian-12", "projects/debian-cloud/global/images/family/debian-12")]
    [InlineData("ubuntu-2404-lts-amd64", "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64")]
    [InlineData("fancydb-base", "projects/acme-prod/global/images/family/fancydb-base")]
    [InlineData("projects/acme-images/global/images/fancydb-20260101", "projects/acme-images/global/images/fancydb-20260101")]
    [InlineData("projects/acme-images/global/images/family/fancydb", "projects/acme-images/global/images/family/fancydb")]
    public void A_role_image_maps_to_a_source_image(string image, string expected) =>
        Assert.Equal(expected, GcpImages.SourceImage(image, Project));

    [Fact]
    public void A_role_image_that_cannot_name_a_gcp_image_is_a_validation_error_at_the_image()
    {
        var desired = Desired([Pool("fancydb-euw1", 2)], [Role("fancydb", "Debian_12.iso")]);

        var error = Assert.Single(Provider.Validate(desired));

        Assert.StartsWith("roles/fancydb.yaml:5:8: error: role fancydb runs on GCP pools: image 'Debian_12.iso' cannot name a GCP image", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_resized_by_hand_after_planning_makes_the_plan_stale()
    {
        var plan = PlanAll(Desired([Pool("fancydb-euw1", 20)]), Snapshot(Managed("fancydb-euw1", 18)));

        var stale = new FleetPlanner([Provider]).FindStaleGuards(plan, [Snapshot(Managed("fancydb-euw1", 25))]);
        var current = new FleetPlanner([Provider]).FindStaleGuards(plan, [Snapshot(Managed("fancydb-euw1", 18), Managed("other", 3))]);

        Assert.Equal([$"group/fancydb-euw1 changed in GCP since the plan was made (was europe-west1-b/{TemplateOf("fancydb-euw1")}/18, now europe-west1-b/{TemplateOf("fancydb-euw1")}/25)"], stale.ToArray());
        Assert.Empty(current);
    }

    [Fact]
    public void Planning_is_deterministic()
    {
        var desired = Desired([Pool("b-euw1", 3), Pool("a-euw1", 2, machineType: "e2-small"), Pool("c-euw1", 5)]);
        var actual = Snapshot(Managed("c-euw1", 4), Managed("gone", 1));

        var first = Json(PlanAll(desired, actual));
        var second = Json(PlanAll(desired, actual with { Groups = [.. actual.Groups.Reverse()] }));

        Assert.Equal(first, second);
        Assert.Equal(["pool/a-euw1", "pool/b-euw1", "pool/c-euw1"], PlanAll(desired, actual).Changes.Select(c => c.Address).ToArray());
    }

    [Fact]
    public void A_fleet_without_a_gcp_section_plans_nothing_here()
    {
        var desired = Desired([]) with { Fleet = Desired([]).Fleet.WithGcp(null) };

        Assert.Equal(ProviderPlan.Empty, GcpPlanner.Plan(desired, Snapshot(Managed("x", 1)), PlanOptions.Default));
    }
}
