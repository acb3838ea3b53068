using System.Collections.Concurrent;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleet.State.Tests.Inventory;

/// <summary>The behaviour of the inventory store, run unchanged against SQLite and PostgreSQL.</summary>
public abstract class InventoryStoreTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly IReadOnlySet<string> NoAutoApproval = new HashSet<string>();

    private readonly List<StateDatabase> opened = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in opened)
        {
            await database.DisposeAsync();
        }
    }

    protected async Task<StateDatabase> OpenAsync(string? inventory = null)
    {
        var database = await StateDatabase.OpenAsync(inventory ?? await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);
        opened.Add(database);
        return database;
    }

    protected async Task<IInventoryStore> StoreWithAsync(int machines)
    {
        var store = (await OpenAsync()).Inventory;
        if (machines > 0)
        {
            await store.IngestAsync(TestData.Records(machines), TestData.Audit, CancellationToken.None);
        }

        return store;
    }

    [Fact]
    public async Task Ingest_adds_unknown_machines_as_available_and_lists_them_in_serial_order()
    {
        var store = await StoreWithAsync(0);
        var result = await store.IngestAsync([TestData.Record(2), TestData.Record(1)], TestData.Audit, CancellationToken.None);

        Assert.Equal(new IngestResult(2, 0, 0), result);
        var machines = await store.ListMachinesAsync(null, CancellationToken.None);
        Assert.Equal(["SN000001", "SN000002"], machines.Select(m => m.HardwareName));
        var first = machines[0];
        Assert.Equal(MachineState.Available, first.State);
        Assert.Equal("high-io", first.HardwareType);
        Assert.Equal("lon", first.Site);
        Assert.Equal("r1", first.Rack);
        Assert.Equal(new BmcEndpoint("10.0.0.2", null), first.Bmc);
        Assert.Equal<NetworkInterface>([new NetworkInterface("eth0", TestData.Mac(1), "10.1.0.2")], first.Interfaces);
        Assert.Null(first.Hostname);
        Assert.Equal(1, first.Version);
        TestData.AssertSame(first, await store.GetMachineAsync("SN000001", CancellationToken.None));
        Assert.Null(await store.GetMachineAsync("nope", CancellationToken.None));

        var history = await store.ListAuditAsync("SN000001", CancellationToken.None);
        var entry = Assert.Single(history);
        Assert.Equal(AuditAction.Ingest, entry.Action);
        Assert.Equal(MachineState.Available, entry.To);
        Assert.Equal("alice@ci", entry.Actor);
    }

    [Fact]
    public async Task Reingest_updates_hardware_facts_but_never_state_hostname_or_pool()
    {
        var store = await StoreWithAsync(2);
        var machine = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;
        var claimed = await store.TransitionAsync(
            MachineTransition.From(machine, MachineState.Installing) with { Hostname = "lon-db-abcde", Role = "db", Pool = "db-lon", Image = "debian-12" },
            TestData.Audit,
            CancellationToken.None);

        var moved = TestData.Record(1, rack: "r9") with { Bmc = new BmcEndpoint("10.9.9.9", 623) };
        var result = await store.IngestAsync([moved, TestData.Record(2)], TestData.Audit, CancellationToken.None);

        Assert.Equal(new IngestResult(0, 1, 1), result);
        var after = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;
        Assert.Equal("r9", after.Rack);
        Assert.Equal(new BmcEndpoint("10.9.9.9", 623), after.Bmc);
        Assert.Equal(MachineState.Installing, after.State);
        Assert.Equal("lon-db-abcde", after.Hostname);
        Assert.Equal("db-lon", after.Pool);
        Assert.Equal(claimed.Version + 1, after.Version);
        var update = (await store.ListAuditAsync("SN000001", CancellationToken.None))[^1];
        Assert.Equal(AuditAction.Update, update.Action);
        Assert.Contains("rack r1 → r9", update.Detail, StringComparison.Ordinal);
        Assert.Equal(1, (await store.GetMachineAsync("SN000002", CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task A_registration_adds_new_serials_but_refuses_a_known_one_and_then_writes_nothing()
    {
        var store = await StoreWithAsync(2);
        var before = await store.ListMachinesAsync(null, CancellationToken.None);
        var repointed = TestData.Record(1) with { Bmc = new BmcEndpoint("203.0.113.66", 623) };

        var refused = await store.RegisterAsync([TestData.Record(3), repointed], NoAutoApproval, TestData.Audit, CancellationToken.None);

        Assert.Null(refused.Result);
        Assert.Equal(
            "recon.json:1:1: error: record 1: SN000001 is already in the inventory; update known machines with fleetctl inventory ingest",
            Assert.Single(refused.Conflicts).ToString());
        TestData.AssertSame(before, await store.ListMachinesAsync(null, CancellationToken.None));

        var added = await store.RegisterAsync([TestData.Record(3)], NoAutoApproval, TestData.Audit, CancellationToken.None);
        Assert.Equal(new IngestResult(1, 0, 0), added.Result);
        Assert.Empty(added.Conflicts);
        Assert.Equal(MachineState.New, (await store.GetMachineAsync("SN000003", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_registration_in_a_site_that_auto_approves_is_available_at_once()
    {
        var store = await StoreWithAsync(0);

        var added = await store.RegisterAsync([TestData.Record(1), TestData.Record(2, site: "sto")], new HashSet<string> { "sto" }, TestData.Audit, CancellationToken.None);

        Assert.Equal(new IngestResult(2, 0, 0), added.Result);
        Assert.Equal(MachineState.New, (await store.GetMachineAsync("SN000001", CancellationToken.None))!.State);
        Assert.Equal(MachineState.Available, (await store.GetMachineAsync("SN000002", CancellationToken.None))!.State);
        Assert.Equal(MachineState.New, Assert.Single(await store.ListAuditAsync("SN000001", CancellationToken.None)).To);
    }

    [Fact]
    public async Task A_registration_with_the_BMC_of_another_machine_is_refused_and_writes_nothing()
    {
        // The takeover of issue 15: a stranger registers with the BMC of a machine in use.
        var store = await StoreWithAsync(2);
        var before = await store.ListMachinesAsync(null, CancellationToken.None);
        var victim = TestData.Record(1).Bmc!;

        foreach (var stolen in new[] { victim, victim with { Port = 623 }, victim with { Port = 6230 } })
        {
            var refused = await store.RegisterAsync([TestData.Record(3) with { Bmc = stolen }], NoAutoApproval, TestData.Audit, CancellationToken.None);
            Assert.Null(refused.Result);
            Assert.Equal(
                $"recon.json:3:1: error: record 3: BMC {stolen.Address}{(stolen.Port is { } port ? $" port {port}" : "")} of SN000003 already belongs to machine SN000001",
                Assert.Single(refused.Conflicts).ToString());
        }

        TestData.AssertSame(before, await store.ListMachinesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task BMCs_on_one_host_with_different_ports_are_different_BMCs()
    {
        var store = await StoreWithAsync(0);

        var result = await store.IngestAsync(
            [TestData.Record(1) with { Bmc = new BmcEndpoint("127.0.0.1", 9001) }, TestData.Record(2) with { Bmc = new BmcEndpoint("127.0.0.1", 9002) }],
            TestData.Audit,
            CancellationToken.None);

        Assert.Equal(new IngestResult(2, 0, 0), result);
    }

    [Fact]
    public async Task An_ingest_that_gives_a_machine_another_machines_BMC_is_refused_naming_both()
    {
        var store = await StoreWithAsync(2);
        var before = await store.ListMachinesAsync(null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FleetException>(() => store.IngestAsync(
            [TestData.Record(2) with { Bmc = new BmcEndpoint("10.0.0.2", null) }, TestData.Record(4) with { Bmc = new BmcEndpoint("10.7.7.7", null) }, TestData.Record(5) with { Bmc = new BmcEndpoint("10.7.7.7", 623) }],
            TestData.Audit,
            CancellationToken.None));

        Assert.Equal(
            [
                "recon.json:2:1: error: record 2: BMC 10.0.0.2 of SN000002 already belongs to machine SN000001",
                "recon.json:5:1: error: record 5: BMC 10.7.7.7 port 623 of SN000005 is also reported for SN000004 (recon.json:4:1, record 4)",
            ],
            error.Diagnostics.Select(d => d.ToString()));
        TestData.AssertSame(before, await store.ListMachinesAsync(null, CancellationToken.None));

        // Two machines that swap BMCs in one ingest are judged by their new records.
        var swapped = await store.IngestAsync(
            [TestData.Record(1) with { Bmc = TestData.Record(2).Bmc }, TestData.Record(2) with { Bmc = TestData.Record(1).Bmc }],
            TestData.Audit,
            CancellationToken.None);
        Assert.Equal(new IngestResult(0, 2, 0), swapped);
    }

    [Fact]
    public async Task Approval_makes_new_machines_available_all_or_nothing_with_an_audit_row_each()
    {
        var store = await StoreWithAsync(1);
        await store.RegisterAsync([TestData.Record(2, rack: "r1"), TestData.Record(3, rack: "r2"), TestData.Record(4, site: "sto")], NoAutoApproval, TestData.Audit, CancellationToken.None);
        var before = await store.ListMachinesAsync(null, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<FleetException>(() => store.ApproveAsync(new Approval(["SN000002", "SN000001", "SN000009", "SN000004"], Site: "lon"), TestData.Audit, CancellationToken.None));
        Assert.Equal(
            [
                "error: machine SN000001 is available: only a new machine can be approved",
                "error: machine SN000009 is not in the inventory",
                "error: machine SN000004 (sto, rack r1, high-io) does not match the filters",
            ],
            refused.Diagnostics.Select(d => d.ToString()));
        TestData.AssertSame(before, await store.ListMachinesAsync(null, CancellationToken.None));

        var approved = await store.ApproveAsync(new Approval([], Site: "lon", Rack: "r1"), TestData.Audit, CancellationToken.None);

        Assert.Equal(["SN000002"], approved.Select(m => m.HardwareName));
        var after = (await store.GetMachineAsync("SN000002", CancellationToken.None))!;
        Assert.Equal(MachineState.Available, after.State);
        Assert.Equal(2, after.Version);
        var entry = (await store.ListAuditAsync("SN000002", CancellationToken.None))[^1];
        Assert.Equal((AuditAction.Transition, MachineState.New, MachineState.Available, "alice@ci"), (entry.Action, entry.From, entry.To, entry.Actor));
        Assert.Equal(MachineState.New, (await store.GetMachineAsync("SN000003", CancellationToken.None))!.State);
        Assert.Empty(await store.ApproveAsync(new Approval([], Site: "lon", Rack: "r1"), TestData.Audit, CancellationToken.None));
    }

    [Theory]
    [InlineData(MachineState.InUse)]
    [InlineData(MachineState.Installing)]
    public async Task Reingest_refuses_to_move_a_machine_of_a_pool_to_another_site_or_hardware_type(MachineState state)
    {
        var store = await StoreWithAsync(2);
        var machine = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;
        machine = await store.TransitionAsync(MachineTransition.From(machine, MachineState.Installing) with { Hostname = "lon-db-abcde", Role = "db", Pool = "db-lon", Image = "debian-12" }, TestData.Audit, CancellationToken.None);
        if (state == MachineState.InUse)
        {
            await store.TransitionAsync(MachineTransition.From(machine, MachineState.InUse), TestData.Audit, CancellationToken.None);
        }

        var before = await store.ListMachinesAsync(null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FleetException>(() => store.IngestAsync(
            [TestData.Record(1, site: "sto", hardwareType: "gpu-4u"), TestData.Record(2, site: "sto")],
            TestData.Audit,
            CancellationToken.None));

        Assert.Equal(
            $"recon.json:1:1: error: record 1: SN000001 is {state.ToWire()} in pool db-lon: cannot change its site lon → sto and hardwareType high-io → gpu-4u; recycle it first",
            Assert.Single(error.Diagnostics).ToString());
        TestData.AssertSame(before, await store.ListMachinesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Ingesting_the_same_records_twice_changes_nothing()
    {
        var store = await StoreWithAsync(3);
        var before = await store.ListMachinesAsync(null, CancellationToken.None);

        var result = await store.IngestAsync(TestData.Records(3), TestData.Audit, CancellationToken.None);

        Assert.Equal(new IngestResult(0, 0, 3), result);
        TestData.AssertSame(before, await store.ListMachinesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_MAC_owned_by_another_serial_is_a_conflict_and_nothing_is_written()
    {
        var store = await StoreWithAsync(1);
        var thief = TestData.Record(7) with { Interfaces = [new NetworkInterface("eth0", TestData.Mac(1), null)] };

        var error = await Assert.ThrowsAsync<FleetException>(() =>
            store.IngestAsync([TestData.Record(5), thief], TestData.Audit, CancellationToken.None));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal("recon.json:7:1: error: record 7: MAC 02:00:00:00:00:01 of SN000007 already belongs to machine SN000001", diagnostic.ToString());
        Assert.Single(await store.ListMachinesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Two_records_claiming_one_IP_are_a_conflict_reported_with_both_locations()
    {
        var store = await StoreWithAsync(0);
        var a = TestData.Record(1);
        var b = TestData.Record(2) with { Interfaces = [new NetworkInterface("eth0", TestData.Mac(2), "10.1.0.2")] };

        var error = await Assert.ThrowsAsync<FleetException>(() => store.IngestAsync([a, b], TestData.Audit, CancellationToken.None));

        Assert.Contains("IP 10.1.0.2 of SN000002 is also reported for SN000001 (recon.json:1:1, record 1)", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListMachinesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Moving_a_MAC_between_machines_in_one_ingest_is_not_a_conflict()
    {
        var store = await StoreWithAsync(2);
        var one = TestData.Record(1) with { Interfaces = [new NetworkInterface("eth0", TestData.Mac(2), null)] };
        var two = TestData.Record(2) with { Interfaces = [new NetworkInterface("eth0", TestData.Mac(1), null)] };

        var result = await store.IngestAsync([one, two], TestData.Audit, CancellationToken.None);

        Assert.Equal(2, result.Updated);
        Assert.Equal(TestData.Mac(2), (await store.GetMachineAsync("SN000001", CancellationToken.None))!.Interfaces[0].Mac);
    }

    [Fact]
    public async Task A_MAC_a_machine_no_longer_reports_is_free_for_another_machine()
    {
        var store = await StoreWithAsync(2);
        var renumbered = TestData.Record(1) with { Interfaces = [new NetworkInterface("eth0", "02:99:00:00:00:01", "10.9.0.1")] };
        await store.IngestAsync([renumbered], TestData.Audit, CancellationToken.None);

        var heir = TestData.Record(3) with { Interfaces = [new NetworkInterface("eth0", TestData.Mac(1), "10.1.0.2")] };
        var result = await store.IngestAsync([heir], TestData.Audit, CancellationToken.None);

        Assert.Equal(new IngestResult(1, 0, 0), result);
        var stolen = TestData.Record(4) with { Interfaces = [new NetworkInterface("eth0", "02:99:00:00:00:01", null)] };
        var error = await Assert.ThrowsAsync<FleetException>(() => store.IngestAsync([stolen], TestData.Audit, CancellationToken.None));
        Assert.Contains("MAC 02:99:00:00:00:01 of SN000004 already belongs to machine SN000001", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_machine_is_found_by_any_of_its_MACs_and_a_MAC_it_gave_up_finds_nothing()
    {
        var store = await StoreWithAsync(3);
        var renumbered = TestData.Record(2) with { Interfaces = [new NetworkInterface("eth0", "02:99:00:00:00:02", null), new NetworkInterface("eth1", "02:99:00:00:00:03", null)] };
        await store.IngestAsync([renumbered], TestData.Audit, CancellationToken.None);

        Assert.Equal("SN000001", (await store.FindMachineByMacAsync(TestData.Mac(1), CancellationToken.None))?.HardwareName);
        Assert.Equal("SN000002", (await store.FindMachineByMacAsync("02:99:00:00:00:03", CancellationToken.None))?.HardwareName);
        Assert.Null(await store.FindMachineByMacAsync(TestData.Mac(2), CancellationToken.None)); // SN000002 no longer has it
        Assert.Null(await store.FindMachineByMacAsync("02:00:00:00:00:99", CancellationToken.None));
    }

    [Fact]
    public async Task Transition_bumps_the_version_and_appends_who_why_job_and_commit_to_the_audit_log()
    {
        var store = await StoreWithAsync(1);
        var machine = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;
        var audit = new AuditContext("ci@runner", "grow", "job-42", "0123456789abcdef0123456789abcdef01234567");

        var installed = await store.TransitionAsync(
            MachineTransition.From(machine, MachineState.Installing) with { Hostname = "lon-db-00001", Role = "db", Pool = "db-lon", Image = "debian-12" },
            audit,
            CancellationToken.None);

        Assert.Equal(MachineState.Installing, installed.State);
        Assert.Equal(2, installed.Version);
        TestData.AssertSame(installed, await store.GetMachineAsync("SN000001", CancellationToken.None));
        var entry = (await store.ListAuditAsync("SN000001", CancellationToken.None))[^1];
        Assert.Equal((AuditAction.Transition, MachineState.Available, MachineState.Installing), (entry.Action, entry.From, entry.To));
        Assert.Equal(("ci@runner", "grow", "job-42", audit.Commit), (entry.Actor, entry.Reason, entry.JobId, entry.Commit));
        Assert.Equal("hostname - → lon-db-00001; role - → db; pool - → db-lon; image - → debian-12", entry.Detail);
    }

    [Fact]
    public async Task A_finished_recycle_releases_the_assignments_and_the_audit_log_records_what_was_released()
    {
        var store = await StoreWithAsync(1);
        var machine = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;
        machine = await store.TransitionAsync(
            MachineTransition.From(machine, MachineState.Installing) with { Hostname = "lon-db-00001", Role = "db", Pool = "db-lon", Image = "debian-12" },
            TestData.Audit,
            CancellationToken.None);
        machine = await store.TransitionAsync(MachineTransition.From(machine, MachineState.InUse), TestData.Audit, CancellationToken.None);
        machine = await store.TransitionAsync(MachineTransition.From(machine, MachineState.Recycling), TestData.Audit, CancellationToken.None);

        var released = await store.TransitionAsync(MachineTransition.From(machine, MachineState.Available), TestData.Audit, CancellationToken.None);

        Assert.Equal((MachineState.Available, null, null, null, null, 5L), (released.State, released.Hostname, released.Role, released.Pool, released.Image, released.Version));
        TestData.AssertSame(released, await store.GetMachineAsync("SN000001", CancellationToken.None));
        var log = await store.ListAuditAsync("SN000001", CancellationToken.None);
        Assert.Equal(
            [(MachineState.Installing, MachineState.InUse, null), (MachineState.InUse, MachineState.Recycling, null),
             (MachineState.Recycling, MachineState.Available, "hostname lon-db-00001 → -; role db → -; pool db-lon → -; image debian-12 → -")],
            log[^3..].Select(e => (e.From, e.To, e.Detail)));
    }

    [Fact]
    public async Task A_stale_version_is_a_concurrency_conflict_and_changes_nothing()
    {
        var store = await StoreWithAsync(1);
        var machine = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;
        await store.TransitionAsync(MachineTransition.From(machine, MachineState.Broken), TestData.Audit, CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            store.TransitionAsync(MachineTransition.From(machine, MachineState.Installing), TestData.Audit, CancellationToken.None));

        Assert.Equal((1L, 2L), (conflict.ExpectedVersion, conflict.ActualVersion!.Value));
        Assert.Equal(MachineState.Broken, (await store.GetMachineAsync("SN000001", CancellationToken.None))!.State);
        Assert.Equal(2, (await store.ListAuditAsync("SN000001", CancellationToken.None)).Length);
    }

    [Fact]
    public async Task An_illegal_transition_names_the_machine_its_state_and_the_attempt()
    {
        var store = await StoreWithAsync(1);
        var machine = (await store.GetMachineAsync("SN000001", CancellationToken.None))!;

        var error = await Assert.ThrowsAsync<FleetException>(() =>
            store.TransitionAsync(MachineTransition.From(machine, MachineState.Recycling), TestData.Audit, CancellationToken.None));

        Assert.Equal("error: machine SN000001 is available: cannot recycle (available → recycling is not an allowed transition)", error.Diagnostics[0].ToString());
    }

    [Fact]
    public async Task An_unknown_machine_cannot_change_state()
    {
        var store = await StoreWithAsync(0);
        var error = await Assert.ThrowsAsync<FleetException>(() =>
            store.TransitionAsync(new MachineTransition("GHOST", 1, MachineState.Broken, null, null, null, null), TestData.Audit, CancellationToken.None));
        Assert.Equal("machine GHOST is not in the inventory", error.Diagnostics[0].Message);
    }

    [Fact]
    public async Task A_hostname_is_held_by_one_machine_until_it_is_released_by_a_finished_recycle()
    {
        var store = await StoreWithAsync(2);
        var one = await Claim(store, "SN000001", "lon-db-aaaaa");
        var two = (await store.GetMachineAsync("SN000002", CancellationToken.None))!;

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.TransitionAsync(
            MachineTransition.From(two, MachineState.Installing) with { Hostname = "lon-db-aaaaa" }, TestData.Audit, CancellationToken.None));
        Assert.Equal("lon-db-aaaaa", conflict.Hostname);

        one = await store.TransitionAsync(MachineTransition.From(one, MachineState.InUse), TestData.Audit, CancellationToken.None);
        one = await store.TransitionAsync(MachineTransition.From(one, MachineState.Recycling), TestData.Audit, CancellationToken.None);
        Assert.Equal("lon-db-aaaaa", one.Hostname);
        one = await store.TransitionAsync(MachineTransition.From(one, MachineState.Available) with { Hostname = "ignored" }, TestData.Audit, CancellationToken.None);
        Assert.Equal((null, null, null), (one.Hostname, one.Pool, one.Role));

        var taken = await Claim(store, "SN000002", "lon-db-aaaaa");
        Assert.Equal("lon-db-aaaaa", taken.Hostname);
    }

    [Fact]
    public async Task List_filters_by_site_state_pool_and_role()
    {
        var store = await StoreWithAsync(0);
        await store.IngestAsync([TestData.Record(1), TestData.Record(2), TestData.Record(3, site: "sto")], TestData.Audit, CancellationToken.None);
        await Claim(store, "SN000002", "lon-db-00002");

        Assert.Equal(["SN000003"], await Names(store, new MachineFilter(Site: "sto")));
        Assert.Equal(["SN000001", "SN000003"], await Names(store, new MachineFilter(State: MachineState.Available)));
        Assert.Equal(["SN000002"], await Names(store, new MachineFilter(Pool: "db-lon")));
        Assert.Equal(["SN000002"], await Names(store, new MachineFilter(Site: "lon", Role: "db", State: MachineState.Installing)));
        Assert.Empty(await Names(store, new MachineFilter(Site: "sto", Role: "db")));
    }

    [Fact]
    public async Task Every_field_round_trips_through_list_and_stream_with_none_one_or_several_interfaces()
    {
        var store = await StoreWithAsync(0);
        var location = new SourceLocation("recon.json", 1, 1);
        ReconRecord[] records =
        [
            new("SN-A", "high-io", "lon", null, null, [], location, 1),
            new("SN-B", "compute", "sto", "r9", new BmcEndpoint("10.9.0.1", 623), [new NetworkInterface("eth0", "02:00:00:00:0b:01", null)], location, 2),
            new("SN-C", "high-io", "lon", "r1", new BmcEndpoint("10.9.0.2", null),
            [
                new NetworkInterface("eth0", "02:00:00:00:0c:01", "10.2.0.1"),
                new NetworkInterface("bond \"é\"", "02:00:00:00:0c:02", null),
                new NetworkInterface("ipmi", "02:00:00:00:0c:03", "2001:db8::3"),
            ], location, 3),
        ];
        await store.IngestAsync(records, TestData.Audit, CancellationToken.None);
        var claimed = await Claim(store, "SN-C", "lon-db-0000c");

        var listed = await store.ListMachinesAsync(null, CancellationToken.None);
        var streamed = await Stream(store, null);

        Assert.Equal(["SN-A", "SN-B", "SN-C"], listed.Select(m => m.HardwareName));
        TestData.AssertSame(listed, streamed);
        foreach (var (record, machine) in records.Zip(listed))
        {
            Assert.Equal((record.HardwareType, record.Site, record.Rack, record.Bmc), (machine.HardwareType, machine.Site, machine.Rack, machine.Bmc));
            Assert.Equal<NetworkInterface>(record.Interfaces, machine.Interfaces);
        }

        Assert.Equal((null, null, null, null), (listed[0].Hostname, listed[0].Role, listed[0].Pool, listed[0].Image));
        TestData.AssertSame(claimed, listed[2]);
        Assert.Equal(claimed.UpdatedAt, listed[2].UpdatedAt);
    }

    [Fact]
    public async Task A_listed_inventory_holds_one_string_per_site_type_and_rack_not_one_per_machine()
    {
        var store = await StoreWithAsync(3);

        var machines = await store.ListMachinesAsync(null, CancellationToken.None);

        Assert.All(machines.Skip(1), m => Assert.Same(machines[0].Site, m.Site));
        Assert.All(machines.Skip(1), m => Assert.Same(machines[0].HardwareType, m.HardwareType));
        Assert.All(machines.Skip(1), m => Assert.Same(machines[0].Rack, m.Rack));
    }

    [Fact]
    public async Task Streaming_filters_like_listing_and_an_abandoned_stream_releases_its_connection()
    {
        var store = await StoreWithAsync(5);
        await Claim(store, "SN000003", "lon-db-00003");

        foreach (var filter in new MachineFilter?[] { null, new(State: MachineState.Available), new(Pool: "db-lon"), new(Site: "sto") })
        {
            TestData.AssertSame(await store.ListMachinesAsync(filter, CancellationToken.None), await Stream(store, filter));
        }

        for (var i = 0; i < 120; i++)
        {
            await foreach (var _ in store.StreamMachinesAsync(null, CancellationToken.None))
            {
                break;
            }
        }

        await Claim(store, "SN000004", "lon-db-00004");
        Assert.Equal(["SN000003", "SN000004"], await Names(store, new MachineFilter(Pool: "db-lon")));
    }

    [Fact]
    public async Task Pools_remember_role_image_and_protection_and_a_protected_pool_cannot_be_deleted()
    {
        var store = await StoreWithAsync(0);
        var first = await store.UpsertPoolAsync(new PoolUpdate("db-lon", "physical", "db", "debian-12", true), CancellationToken.None);
        var second = await store.UpsertPoolAsync(new PoolUpdate("db-lon", "physical", "db", "debian-13", true), CancellationToken.None);
        await store.UpsertPoolAsync(new PoolUpdate("api-euw1", "gcp", "api", null, false), CancellationToken.None);

        Assert.Equal((1L, 2L), (first.Version, second.Version));
        Assert.Equal(["api-euw1", "db-lon"], (await store.ListPoolsAsync(CancellationToken.None)).Select(p => p.Name));
        Assert.Equal(second, await store.GetPoolAsync("db-lon", CancellationToken.None));
        var error = await Assert.ThrowsAsync<FleetException>(() => store.DeletePoolAsync("db-lon", CancellationToken.None));
        Assert.Contains("pool db-lon is protected", error.Message, StringComparison.Ordinal);
        Assert.True(await store.DeletePoolAsync("api-euw1", CancellationToken.None));
        Assert.False(await store.DeletePoolAsync("api-euw1", CancellationToken.None));
    }

    [Fact]
    public async Task Opening_applies_migrations_once_even_when_four_processes_open_a_new_database_at_once()
    {
        var inventory = await provider.CreateAsync();
        var databases = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => OpenAsync(inventory))));

        var folder = databases[0].Kind == StateBackendKind.Postgres ? "postgres" : "sqlite";
        Assert.Equal(Migrations.MigrationRunner.Embedded(folder).Length, databases.Sum(d => d.Migration.Applied.Length));
        Assert.All(databases, d => Assert.Equal(StateDatabase.LatestSchemaVersion(d.Kind), d.Migration.SchemaVersion));
        var again = await OpenAsync(inventory);
        Assert.Empty(again.Migration.Applied);
    }

    [Fact]
    public async Task An_up_to_date_database_opens_while_another_process_holds_the_schema_lock()
    {
        var inventory = await provider.CreateAsync();
        var first = await OpenAsync(inventory);
        await using var connection = await first.Backend.OpenConnectionAsync(CancellationToken.None);
        await using var held = await first.Backend.BeginSchemaChangeAsync(connection, CancellationToken.None);

        var open = OpenAsync(inventory);

        Assert.Same(open, await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Empty((await open).Migration.Applied);
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_is_refused()
    {
        var inventory = await provider.CreateAsync();
        var database = await OpenAsync(inventory);
        await using (var connection = await database.Backend.OpenConnectionAsync(CancellationToken.None))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<FleetException>(() => OpenAsync(inventory));
        Assert.Contains("has schema version 9999, newer than this fleetctl knows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_only_if_current_creates_and_migrates_nothing()
    {
        var inventory = await provider.CreateAsync();

        Assert.Null(await StateDatabase.OpenIfCurrentAsync(inventory, provider.FleetDirectory, TimeProvider.System, CancellationToken.None));

        if (InventoryLocation.Parse(inventory, provider.FleetDirectory) is { Backend: StateBackendKind.Sqlite } location)
        {
            Assert.False(File.Exists(location.ConnectionTarget));
        }

        // Every migration is still to apply: the first open did not start the schema.
        var database = await OpenAsync(inventory);
        Assert.Equal(StateDatabase.LatestSchemaVersion(database.Kind), database.Migration.SchemaVersion);
        Assert.Equal(Migrations.MigrationRunner.Embedded(database.Backend.MigrationFolder).Length, database.Migration.Applied.Length);
    }

    [Fact]
    public async Task Opening_only_if_current_opens_an_up_to_date_database_and_leaves_a_stale_one_alone()
    {
        var inventory = await provider.CreateAsync();
        var store = (await OpenAsync(inventory)).Inventory;
        await store.IngestAsync(TestData.Records(3), TestData.Audit, CancellationToken.None);

        await using (var current = await StateDatabase.OpenIfCurrentAsync(inventory, provider.FleetDirectory, TimeProvider.System, CancellationToken.None))
        {
            Assert.NotNull(current);
            Assert.Empty(current.Migration.Applied);
            Assert.Equal(3, (await current.Inventory.ListMachinesAsync(null, CancellationToken.None)).Length);
        }

        var database = await OpenAsync(inventory);
        var latest = StateDatabase.LatestSchemaVersion(database.Kind);
        await ExecuteAsync(database, $"DELETE FROM schema_migrations WHERE version = {latest}");

        // Null, not the error a second run of the migration would raise: it was left for OpenAsync.
        Assert.Null(await StateDatabase.OpenIfCurrentAsync(inventory, provider.FleetDirectory, TimeProvider.System, CancellationToken.None));
        Assert.Equal(0L, Convert.ToInt64(await ExecuteAsync(database, $"SELECT COUNT(*) FROM schema_migrations WHERE version = {latest}"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Opening_only_if_current_refuses_a_newer_schema_too()
    {
        var inventory = await provider.CreateAsync();
        await ExecuteAsync(await OpenAsync(inventory), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')");

        var error = await Assert.ThrowsAsync<FleetException>(() => StateDatabase.OpenIfCurrentAsync(inventory, provider.FleetDirectory, TimeProvider.System, CancellationToken.None));

        Assert.Contains("has schema version 9999, newer than this fleetctl knows", error.Message, StringComparison.Ordinal);
    }

    private static async Task<object?> ExecuteAsync(StateDatabase database, string sql)
    {
        await using var connection = await database.Backend.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    /// <summary>
    /// 8 claimers race for 100 machines with 1,000 claim attempts in total, each reading a random
    /// available machine and compare-and-swapping it to installing: no machine is ever claimed twice.
    /// </summary>
    [Fact]
    public async Task Eight_parallel_claimers_never_claim_a_machine_twice()
    {
        var store = await StoreWithAsync(100);
        var claims = new ConcurrentBag<string>();
        var attempts = 0;
        var conflicts = 0;

        async Task Claimer(int id)
        {
            var random = new Random(id);
            while (Interlocked.Increment(ref attempts) <= 1000)
            {
                var available = await store.ListMachinesAsync(new MachineFilter(State: MachineState.Available), CancellationToken.None);
                if (available.IsEmpty)
                {
                    return;
                }

                var machine = available[random.Next(available.Length)];
                try
                {
                    await store.TransitionAsync(
                        MachineTransition.From(machine, MachineState.Installing) with { Hostname = $"h-{machine.HardwareName}", Pool = "p", Role = "r" },
                        new AuditContext($"claimer-{id}"),
                        CancellationToken.None);
                    claims.Add(machine.HardwareName);
                }
                catch (ConcurrencyConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
                catch (FleetException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Claimer(i))));

        Assert.Equal(claims.Count, claims.Distinct().Count());
        var claimed = await store.ListMachinesAsync(new MachineFilter(State: MachineState.Installing), CancellationToken.None);
        Assert.Equal(claims.Order(StringComparer.Ordinal), claimed.Select(m => m.HardwareName));
        Assert.All(claimed, m => Assert.Equal(2, m.Version));
    }

    [Fact]
    public async Task Concurrent_transitions_that_lose_a_race_fail_alone_and_the_others_are_recorded()
    {
        // Many writes at once share transactions on SQLite: the losers must roll back alone.
        var store = await StoreWithAsync(60);
        var machines = await store.ListMachinesAsync(new MachineFilter(), CancellationToken.None);
        var versionRaces = machines.Take(20).SelectMany(m => new[]
        {
            (Serial: m.HardwareName, Transition: MachineTransition.From(m, MachineState.Broken)),
            (Serial: m.HardwareName, Transition: MachineTransition.From(m, MachineState.Broken)),
        });
        var hostnameRaces = machines.Skip(20).Select((m, i) => (
            Serial: m.HardwareName,
            Transition: MachineTransition.From(m, MachineState.Installing) with { Hostname = $"lon-db-{i / 2:D5}", Role = "db", Pool = "db-lon", Image = "debian-12" }));

        var outcomes = await Task.WhenAll(versionRaces.Concat(hostnameRaces).Select(async race =>
        {
            await Task.Yield();
            try
            {
                await store.TransitionAsync(race.Transition, TestData.Audit, CancellationToken.None);
                return (race.Serial, Won: true);
            }
            catch (ConcurrencyConflictException)
            {
                return (race.Serial, Won: false);
            }
        }));

        var winners = outcomes.Where(o => o.Won).Select(o => o.Serial).ToList();
        var versionRaced = machines.Take(20).Select(m => m.HardwareName).ToHashSet();
        Assert.Equal(versionRaced.Order(StringComparer.Ordinal), winners.Where(versionRaced.Contains).Order(StringComparer.Ordinal));
        Assert.Equal(20, winners.Count(w => !versionRaced.Contains(w)));
        foreach (var machine in await store.ListMachinesAsync(new MachineFilter(), CancellationToken.None))
        {
            var won = winners.Contains(machine.HardwareName);
            Assert.Equal(won ? 2 : 1, machine.Version);
            Assert.Equal(won ? 2 : 1, (await store.ListAuditAsync(machine.HardwareName, CancellationToken.None)).Length);
        }

        var installing = await store.ListMachinesAsync(new MachineFilter(State: MachineState.Installing), CancellationToken.None);
        Assert.Equal(20, installing.Select(m => m.Hostname).Distinct().Count());
    }

    private static async Task<Machine> Claim(IInventoryStore store, string serial, string hostname)
    {
        var machine = (await store.GetMachineAsync(serial, CancellationToken.None))!;
        return await store.TransitionAsync(
            MachineTransition.From(machine, MachineState.Installing) with { Hostname = hostname, Role = "db", Pool = "db-lon", Image = "debian-12" },
            TestData.Audit,
            CancellationToken.None);
    }

    private static async Task<List<Machine>> Stream(IInventoryStore store, MachineFilter? filter)
    {
        var machines = new List<Machine>();
        await foreach (var machine in store.StreamMachinesAsync(filter, CancellationToken.None))
        {
            machines.Add(machine);
        }

        return machines;
    }

    private static async Task<IEnumerable<string>> Names(IInventoryStore store, MachineFilter filter) =>
        (await store.ListMachinesAsync(filter, CancellationToken.None)).Select(m => m.HardwareName);
}

public sealed class SqliteInventoryStoreTests(SqliteProvider provider) : InventoryStoreTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresInventoryStoreTests(PostgresProvider provider) : InventoryStoreTests(provider), IClassFixture<PostgresProvider>;
