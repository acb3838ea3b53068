using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Gcp;
using Fleet.Providers.Physical.Planning;
using Fleet.Testing;
using Fleet.Tests.Shared;
using static Fleet.Testing.TestFleet;

namespace Fleet.Providers.Physical.Tests.Planning;

public sealed class PhysicalPlannerTests
{
    /// <summary>One planning rule: desired pools, the inventory, the options, and the expected changes as "action address machine reason".</summary>
    public sealed record Case(
        string Name,
        ImmutableArray<PoolSpec> Pools,
        ImmutableArray<Machine> Machines,
        ImmutableArray<string> Expected,
        PlanOptions? Options = null,
        ImmutableArray<PoolRecord> Records = default,
        ImmutableArray<RoleSpec> Roles = default)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() =>
    [
        new Case(
            "grow spreads a new pool across racks, rack then serial order",
            [Pool("db", "fancydb", 4)],
            [Machine("A1", "r1"), Machine("A2", "r1"), Machine("A3", "r1"), Machine("B1", "r2"), Machine("B2", "r2"), Machine("C1", "r3")],
            ["install pool/db A1 grow", "install pool/db B1 grow", "install pool/db C1 grow", "install pool/db A2 grow"]),
        new Case(
            "grow prefers the rack holding fewest machines of the pool",
            [Pool("db", "fancydb", 4)],
            [Member("M1", "db", "fancydb", "r1"), Member("M2", "db", "fancydb", "r1"), Member("M3", "db", "fancydb", "r2"),
             Machine("A1", "r1"), Machine("B1", "r2"), Machine("C1", "r3")],
            ["install pool/db C1 grow"]),
        new Case(
            "grow claims only the pool's hardware at the pool's site",
            [Pool("db", "fancydb", 1)],
            [Machine("X1", "r1", site: "sto"), Machine("X2", "r1", hardware: "compute"), Machine("X3", "r2")],
            ["install pool/db X3 grow"]),
        new Case(
            "pools claim in name order and never the same machine",
            [Pool("b", "fancydb", 1), Pool("a", "fancydb", 1)],
            [Machine("A1", "r1"), Machine("A2", "r1")],
            ["install pool/a A1 grow", "install pool/b A2 grow"]),
        new Case(
            "installing machines count toward the pool: nothing is planned twice",
            [Pool("db", "fancydb", 2)],
            [Member("M1", "db", "fancydb", state: MachineState.Installing), Member("M2", "db", "fancydb"), Machine("A1")],
            []),
        new Case(
            "recycling machines do not count: the pool grows past them",
            [Pool("db", "fancydb", 1)],
            [Member("M1", "db", "fancydb", state: MachineState.Recycling), Machine("A1")],
            ["install pool/db A1 grow"]),
        new Case(
            "a broken member is replaced and recycled",
            [Pool("db", "fancydb", 2)],
            [Member("M1", "db", "fancydb"), Member("M2", "db", "fancydb", state: MachineState.Broken), Machine("A1", "r2")],
            ["install pool/db A1 replace", "recycle pool/db M2 replace"]),
        new Case(
            "replacements first, then growth",
            [Pool("db", "fancydb", 3)],
            [Member("M1", "db", "fancydb", state: MachineState.Broken), Machine("A1", "r1"), Machine("B1", "r2"), Machine("C1", "r3")],
            ["install pool/db A1 replace", "install pool/db B1 grow", "install pool/db C1 grow", "recycle pool/db M1 replace"]),
        new Case(
            "shrink recycles from the rack holding most of the pool, highest serial first",
            [Pool("db", "fancydb", 4)],
            [Member("M1", "db", "fancydb", "r1"), Member("M2", "db", "fancydb", "r2"), Member("M3", "db", "fancydb", "r2"),
             Member("M4", "db", "fancydb", "r2"), Member("M5", "db", "fancydb", "r1")],
            ["recycle pool/db M4 shrink"]),
        new Case(
            "shrink takes broken machines first and recycles no in-service machine when that suffices",
            [Pool("db", "fancydb", 2)],
            [Member("M1", "db", "fancydb"), Member("M2", "db", "fancydb"), Member("M3", "db", "fancydb", state: MachineState.Broken)],
            ["recycle pool/db M3 replace"]),
        new Case(
            "shrink never recycles a machine that is still installing",
            [Pool("db", "fancydb", 1)],
            [Member("M1", "db", "fancydb", state: MachineState.Installing), Member("M2", "db", "fancydb")],
            ["recycle pool/db M2 shrink"]),
        new Case(
            "an image change reimages in_use machines in a batch the safety limit allows",
            [Pool("db", "fancydb", 8)],
            [.. Enumerable.Range(1, 8).Select(i => Member($"M{i}", "db", "fancydb", image: "debian-11"))],
            ["install pool/db M1 reimage", "install pool/db M2 reimage"]),
        new Case(
            "a role change reimages in_use machines",
            [Pool("db", "newdb", 1)],
            [Member("M1", "db", "fancydb")],
            ["install pool/db M1 reimage"]),
        new Case(
            "machines already on the pool's role and image are left alone",
            [Pool("db", "fancydb", 2)],
            [Member("M1", "db", "fancydb"), Member("M2", "db", "fancydb", image: "debian-11", state: MachineState.Installing)],
            []),
        new Case(
            "a removed pool is kept without --allow-destroy",
            [],
            [Member("M1", "old", "fancydb"), Member("M2", "old", "fancydb")],
            []),
        new Case(
            "a removed pool is recycled with --allow-destroy",
            [],
            [Member("M1", "old", "fancydb"), Member("M2", "old", "fancydb", state: MachineState.Broken), Member("M3", "old", "fancydb", state: MachineState.Installing)],
            ["recycle pool/old M1 destroy", "recycle pool/old M2 destroy"],
            new PlanOptions(PlanSelection.All, AllowDestroy: true)),
        new Case(
            "a removed pool outside the selection is not touched",
            [Pool("db", "fancydb", 1)],
            [Member("M1", "old", "fancydb"), Machine("A1")],
            ["install pool/db A1 grow"],
            new PlanOptions(new PlanSelection(["d*"], [], []), AllowDestroy: true)),
        new Case(
            "--pool, --site and --exclude select pools",
            [Pool("db-lon", "fancydb", 1), Pool("db-sto", "fancydb", 1, site: "sto"), Pool("db-canary", "fancydb", 1), Pool("web", "web", 1)],
            [Machine("A1"), Machine("A2"), Machine("A3"), Machine("S1", site: "sto")],
            ["install pool/db-lon A1 grow"],
            new PlanOptions(new PlanSelection(["db-*"], ["lon"], ["*-canary"]))),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plans_each_rule(Case scenario)
    {
        var desired = Desired(scenario.Pools, scenario.Roles.IsDefault ? null : scenario.Roles);
        var plan = PhysicalPlanner.Plan(desired, Snapshot(scenario.Machines, scenario.Records), scenario.Options ?? PlanOptions.Default);

        Assert.Empty(plan.Errors);
        Assert.Equal(scenario.Expected, plan.Changes.Select(Describe));
    }

    [Fact]
    public void Capacity_errors_list_every_shortfall_at_once()
    {
        var desired = Desired([Pool("fancydb-lon", "fancydb", 7), Pool("web-sto", "web", 3, site: "sto", hardware: "compute"), Pool("ok", "web", 1)]);
        var machines = ImmutableArray.Create(Machine("A1"), Machine("A2"), Machine("C1", site: "sto", hardware: "compute"), Machine("A3"));

        var plan = PhysicalPlanner.Plan(desired, Snapshot(machines), PlanOptions.Default);

        Assert.Equal(
            [
                "pools/fancydb-lon.yaml:7:7: error: pool fancydb-lon needs 7 more high-io machines in lon; 3 are available",
                "pools/web-sto.yaml:7:7: error: pool web-sto needs 3 more compute machines in sto; 1 are available",
            ],
            plan.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Machines_waiting_for_approval_are_never_claimed_nor_counted_as_available()
    {
        var desired = Desired([Pool("fancydb-lon", "fancydb", 2)]);
        var machines = ImmutableArray.Create(Machine("A0", state: MachineState.New), Machine("A1"), Machine("A2", state: MachineState.New));

        var plan = PhysicalPlanner.Plan(desired, Snapshot(machines), PlanOptions.Default);

        Assert.Empty(plan.Changes);
        Assert.Equal(
            ["pools/fancydb-lon.yaml:7:7: error: pool fancydb-lon needs 2 more high-io machines in lon; 1 are available"],
            plan.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_protected_removed_pool_is_never_recycled()
    {
        var machines = ImmutableArray.Create(Member("M1", "old", "fancydb"));
        var records = ImmutableArray.Create(Record("old", isProtected: true));

        var kept = PhysicalPlanner.Plan(Desired([]), Snapshot(machines, records), PlanOptions.Default);
        var refused = PhysicalPlanner.Plan(Desired([]), Snapshot(machines, records), new PlanOptions(PlanSelection.All, AllowDestroy: true, Force: true));

        Assert.Empty(kept.Changes);
        Assert.Contains("pool/old: no longer declared; its 1 machines are kept (the pool is protected)", kept.Limits);
        Assert.Empty(refused.Changes);
        Assert.Contains(refused.Errors, e => e.Message.Contains("pool old is no longer declared but is protected", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_allow_destroy_the_skipped_prune_is_reported()
    {
        var plan = PhysicalPlanner.Plan(Desired([]), Snapshot([Member("M1", "old", "fancydb")]), PlanOptions.Default);

        Assert.Equal(["pool/old: no longer declared; its 1 machines are kept (plan with --allow-destroy to recycle them)"], plan.Limits.ToArray());
    }

    [Fact]
    public void Reimage_batches_say_which_limit_they_hit_and_carry_before_and_after()
    {
        var machines = Enumerable.Range(1, 8).Select(i => Member($"M{i}", "db", "fancydb", image: "debian-11"));

        var plan = PhysicalPlanner.Plan(Desired([Pool("db", "fancydb", 8)]), Snapshot(machines), PlanOptions.Default);

        Assert.Equal(["pool/db: reimaging 2 of 8 machines in this apply (safety.maxRecyclePercent 25%); the rest follow in later applies"], plan.Limits.ToArray());
        var first = plan.Changes[0].Change;
        Assert.Equal("debian-11", (string?)first.Before!["image"]);
        Assert.Equal("debian-12", (string?)first.After!["image"]);
        Assert.Equal("lon-fancydb-m1", first.Hostname);
        Assert.Equal([new Disruption("pool/db", 8, 2, PhysicalPlanner.DisruptionWhat)], plan.Disruptions.ToArray());
    }

    [Fact]
    public void A_role_change_allocates_a_hostname_with_the_new_role()
    {
        var plan = PhysicalPlanner.Plan(Desired([Pool("db", "newdb", 1)]), Snapshot([Member("M1", "db", "fancydb")]), PlanOptions.Default);

        Assert.Matches("^lon-newdb-[a-z0-9]{5}$", plan.Changes.Single().Change.Hostname);
    }

    [Fact]
    public void Shrinking_more_than_the_limit_is_reported_as_a_disruption_for_the_safety_policy()
    {
        var machines = Enumerable.Range(1, 10).Select(i => Member($"M{i:00}", "db", "fancydb"));

        var plan = PhysicalPlanner.Plan(Desired([Pool("db", "fancydb", 5)]), Snapshot(machines), PlanOptions.Default);

        Assert.Equal(5, plan.Changes.Length);
        Assert.Equal([new Disruption("pool/db", 10, 5, PhysicalPlanner.DisruptionWhat)], plan.Disruptions.ToArray());
        Assert.Single(SafetyPolicy.Check(plan.Disruptions, 25));
    }

    [Fact]
    public void Installs_carry_hostname_site_and_what_apply_needs()
    {
        var plan = PhysicalPlanner.Plan(Desired([Pool("db", "fancydb", 1)]), Snapshot([Machine("C0MPUT3")]), PlanOptions.Default);

        var change = plan.Changes.Single().Change;
        Assert.Equal(HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 0), change.Hostname);
        Assert.Equal("lon", change.Site);
        Assert.Equal(ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("image", "debian-12"), KeyValuePair.Create("pool", "db"), KeyValuePair.Create("role", "fancydb")]), change.Parameters);
    }

    [Fact]
    public void A_hostname_collision_takes_the_next_candidate()
    {
        var taken = HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 0);
        var machines = ImmutableArray.Create(Machine("C0MPUT3"), Member("OTHER", "x", "fancydb") with { Hostname = taken });

        var plan = PhysicalPlanner.Plan(Desired([Pool("db", "fancydb", 1), Pool("x", "fancydb", 1)]), Snapshot(machines), PlanOptions.Default);

        Assert.Equal(HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 1), plan.Changes.Single().Change.Hostname);
    }

    [Fact]
    public void Guards_hold_the_versions_of_touched_machines_and_pools_only()
    {
        var machines = ImmutableArray.Create(
            Machine("A1", version: 7), Machine("UNRELATED", version: 9),
            Member("M1", "db", "fancydb", state: MachineState.Broken) with { Version = 4 },
            Member("Q1", "quiet", "fancydb") with { Version = 2 });
        var records = ImmutableArray.Create(Record("db", version: 5), Record("quiet", version: 6));

        var plan = PhysicalPlanner.Plan(Desired([Pool("db", "fancydb", 1), Pool("quiet", "fancydb", 1), Pool("fresh", "fancydb", 0)]), Snapshot(machines, records), PlanOptions.Default);

        Assert.Equal(
            new Dictionary<string, string> { ["machine/A1"] = "7", ["machine/M1"] = "4", ["pool/db"] = "5" },
            plan.Guards);
    }

    [Fact]
    public void Stale_guards_name_what_changed()
    {
        var guards = new Dictionary<string, string> { ["machine/A1"] = "7", ["machine/GONE"] = "1", ["pool/db"] = "5", ["pool/new"] = PhysicalGuards.Absent };
        var now = Snapshot([Machine("A1", version: 8)], [Record("db", version: 5)]);

        Assert.Equal(
            ["machine/A1 changed since the plan was made (version 7, now 8)", "machine/GONE no longer exists in the inventory"],
            PhysicalGuards.FindStale(guards, now).ToArray());
    }

    [Fact]
    public void Planning_is_deterministic_whatever_order_the_inventory_is_read_in()
    {
        var desired = Desired([Pool("a", "fancydb", 5), Pool("b", "web", 3), Pool("c", "fancydb", 2, hardware: "compute")]);
        var machines = Enumerable.Range(0, 60)
            .Select(i => Machine($"S{i:000}", $"r{i % 7}", hardware: i % 3 == 0 ? "compute" : "high-io"))
            .Append(Member("M1", "a", "fancydb", state: MachineState.Broken))
            .ToImmutableArray();

        var forward = PhysicalPlanner.Plan(desired, Snapshot(machines), PlanOptions.Default);
        var backward = PhysicalPlanner.Plan(desired, Snapshot(machines.Reverse()), PlanOptions.Default);

        Assert.Equal(forward.Changes.Select(DescribeFully), backward.Changes.Select(DescribeFully));
        Assert.Equal(forward.Guards, backward.Guards);
    }

    [Fact]
    public void Validation_rejects_what_a_physical_pool_cannot_be()
    {
        // A physical pool cannot hold another backend's fields: the loader refuses them (BadInputTests).
        var noSite = Pool("nosite", "fancydb", 1).WithPlacement(null, null);

        var diagnostics = PhysicalPlanner.Validate(Desired([noSite, GcpPool("cloud", "fancydb", 3)]));

        Assert.Equal(
            [
                "pools/nosite.yaml:5:10: error: pool nosite: a physical pool needs a site",
                "pools/nosite.yaml:5:10: error: pool nosite: a physical pool needs a hardware type",
            ],
            diagnostics.Select(d => d.ToString()));
    }

    private static PhysicalSnapshot Snapshot(IEnumerable<Machine> machines, ImmutableArray<PoolRecord> records = default) =>
        new([.. machines], records.IsDefault ? [] : records);

    private static string DescribeFully(ProposedChange proposed) =>
        $"{Describe(proposed)} {proposed.Change.Hostname} {proposed.Change.Site} {string.Join(',', proposed.Change.Parameters)} {proposed.Change.Before?.ToJsonString()}";

    private static string Describe(ProposedChange proposed) =>
        $"{proposed.Change.Action} {proposed.Change.Address} {proposed.Change.Machine} {proposed.Change.Reason}";
}
