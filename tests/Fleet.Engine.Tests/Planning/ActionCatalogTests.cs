using System.Collections.Immutable;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using static Fleet.Engine.Tests.Planning.ScriptedProvider;
using static Fleet.Testing.TestFleet;

namespace Fleet.Engine.Tests.Planning;

/// <summary>Actions are data the providers declare: the engine plans, counts and checks them without knowing any.</summary>
public sealed class ActionCatalogTests
{
    private static readonly ActionDescriptor Adopt = new("adopt", ChangeKind.Create, "machine", "adopt");

    [Fact]
    public void A_provider_declaring_a_new_action_plans_it_and_the_summary_counts_it()
    {
        var cmdb = new ScriptedProvider("cmdb", _ => new ProviderPlan(
            [ProposedChange.Of(Change("cmdb", "pool/a", Adopt, "lon", "S1")), ProposedChange.Of(Change("cmdb", "pool/a", Adopt, "lon", "S2"))],
            ImmutableDictionary<string, string>.Empty, [], [], [], []))
        {
            Capabilities = new([], [Adopt]),
        };
        var physical = new ScriptedProvider("physical", _ => new ProviderPlan(
            [ProposedChange.Of(Change("physical", "pool/b", TestActions.Install, "lon", "S3"))],
            ImmutableDictionary<string, string>.Empty, [], [], [], []), "physical");
        var planner = new FleetPlanner([physical, cmdb]);

        var plan = planner.Plan(Desired([]), [new Snapshot("physical"), new Snapshot("cmdb")], PlanSource.Worktree, PlanOptions.Default);

        Assert.Equal([KeyValuePair.Create("adopt", 2), KeyValuePair.Create("install", 1)], plan.Summary.ToArray());
        Assert.Equal([.. TestActions.All, Adopt], planner.Actions.All.ToArray());
        Assert.Equal(ChangeKind.Create, planner.Actions.KindOf(plan.Changes[^1].Action));
    }

    [Fact]
    public void A_change_of_an_action_its_provider_does_not_declare_is_a_bug_of_that_provider()
    {
        var rogue = new ScriptedProvider("rogue", _ => new ProviderPlan(
            [ProposedChange.Of(Change("rogue", "pool/a", Adopt))], ImmutableDictionary<string, string>.Empty, [], [], [], []));

        var error = Assert.Throws<InvalidOperationException>(() =>
            new FleetPlanner([rogue]).Plan(Desired([]), [new Snapshot("rogue")], PlanSource.Worktree, PlanOptions.Default));

        Assert.Equal("provider 'rogue' proposed a adopt change for provider 'rogue' that its capabilities do not declare", error.Message);
    }

    [Fact]
    public void A_name_declared_twice_must_mean_the_same_thing()
    {
        Assert.Equal([Adopt], new ActionCatalog([Adopt, Adopt with { }]).All.ToArray());
        Assert.Throws<ArgumentException>(() => new ActionCatalog([Adopt, Adopt with { Kind = ChangeKind.Update }]));
    }

    [Fact]
    public void An_action_nobody_declares_reads_as_an_update_under_its_own_name()
    {
        var described = TestActions.Catalog.Describe(new ChangeAction("explode"));

        Assert.Equal((ChangeKind.Update, "explode"), (described.Kind, described.Verb));
        Assert.False(TestActions.Catalog.Declares("explode"));
    }
}
