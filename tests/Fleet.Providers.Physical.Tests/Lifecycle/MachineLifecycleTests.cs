using System.Collections.Immutable;
using Fleet.Engine.Execution;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.State.Tests;
using static Fleet.Providers.Physical.Tests.Lifecycle.LifecycleHarness;

namespace Fleet.Providers.Physical.Tests.Lifecycle;

/// <summary>Install, recycle, retries and replacement on a real inventory, on SQLite and PostgreSQL.</summary>
public abstract class MachineLifecycleTests(IDatabaseProvider provider)
{
    private static readonly RetryPolicy FastRetry = new(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), 0.2);

    [Fact]
    public async Task Install_records_installing_before_booting_and_ends_in_use_with_the_pools_assignments()
    {
        await using var h = await CreateAsync(provider, 2);
        var change = Install("1", "SN1");

        var result = await h.Lifecycle.InstallAsync(change, Audit, CancellationToken.None);

        Assert.Equal((ChangeStatus.Applied, $"SN1 installed as {change.Hostname}"), (result.Status, result.Message));

        var machine = await h.MachineAsync("SN1");
        Assert.Equal((MachineState.InUse, "db", "db", "debian-12", change.Hostname), (machine.State, machine.Pool, machine.Role, machine.Image, machine.Hostname));
        var audit = await h.Inventory.ListAuditAsync("SN1", CancellationToken.None);
        Assert.Equal(
            [(MachineState.Available, MachineState.Installing), (MachineState.Installing, MachineState.InUse)],
            audit.Where(a => a.Action == AuditAction.Transition).Select(a => (a.From!.Value, a.To!.Value)));
        Assert.All(audit.Where(a => a.Action == AuditAction.Transition), a => Assert.Equal(("job-1", "abc123"), (a.JobId, a.Commit)));
        Assert.Equal(1, h.Datacenter.BootsOf("SN1"));
    }

    [Fact]
    public async Task Installing_an_installed_machine_again_does_nothing()
    {
        await using var h = await CreateAsync(provider, 1);
        await h.Lifecycle.InstallAsync(Install("1", "SN1"), Audit, CancellationToken.None);
        var version = (await h.MachineAsync("SN1")).Version;

        var again = await h.Lifecycle.InstallAsync(Install("1", "SN1"), Audit, CancellationToken.None);

        Assert.Equal(ChangeStatus.AlreadyApplied, again.Status);
        Assert.Equal(version, (await h.MachineAsync("SN1")).Version);
        Assert.Equal(1, h.Datacenter.BootsOf("SN1"));
    }

    [Fact]
    public async Task Work_left_half_way_by_a_killed_apply_is_found_and_finished()
    {
        await using var h = await CreateAsync(provider, 3);
        await h.Lifecycle.InstallAsync(Install("1", "SN2"), Audit, CancellationToken.None);
        // A killed apply: SN1 claimed for installing, SN2 moved to recycling, nothing else done.
        var sn1 = await h.MachineAsync("SN1");
        await h.Inventory.TransitionAsync(new MachineTransition("SN1", sn1.Version, MachineState.Installing, "lon-db-aaaaa", "db", "db", "debian-12"), Audit, CancellationToken.None);
        var sn2 = await h.MachineAsync("SN2");
        await h.Inventory.TransitionAsync(MachineTransition.From(sn2, MachineState.Recycling), Audit, CancellationToken.None);

        var machines = await h.Inventory.ListMachinesAsync(null, CancellationToken.None);
        var resume = InterruptedWork.Find(machines, ImmutableHashSet<string>.Empty);
        Assert.Equal(["install SN1", "recycle SN2"], resume.Select(c => $"{c.Action} {c.Machine}"));
        Assert.Empty(InterruptedWork.Find(machines, ImmutableHashSet.Create("SN1", "SN2")));

        await h.Lifecycle.InstallAsync(resume[0], Audit, CancellationToken.None);
        await h.Lifecycle.RecycleAsync(resume[1], Audit, CancellationToken.None);

        Assert.Equal((MachineState.InUse, "lon-db-aaaaa"), ((await h.MachineAsync("SN1")).State, (await h.MachineAsync("SN1")).Hostname));
        Assert.Equal(MachineState.Available, (await h.MachineAsync("SN2")).State);
    }

    [Fact]
    public async Task Recycle_sanitizes_the_machine_and_releases_its_hostname_and_pool()
    {
        await using var h = await CreateAsync(provider, 1);
        await h.Lifecycle.InstallAsync(Install("1", "SN1"), Audit, CancellationToken.None);

        await h.Lifecycle.RecycleAsync(Recycle("2", "SN1"), Audit, CancellationToken.None);

        var machine = await h.MachineAsync("SN1");
        Assert.Equal((MachineState.Available, null, null), (machine.State, machine.Hostname, machine.Pool));
        Assert.Equal(2, h.Datacenter.BootsOf("SN1"));
        await h.Lifecycle.RecycleAsync(Recycle("2", "SN1"), Audit, CancellationToken.None);
        Assert.Equal(2, h.Datacenter.BootsOf("SN1"));
    }

    [Fact]
    public async Task A_failed_install_is_retried_after_the_backoff_of_an_injected_clock_then_broken_and_replaced()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var h = await CreateAsync(provider, 3, clock);
        h.Completions.Failing["SN1"] = true;
        var retry = new RetryPolicy(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), 0.2);
        var runner = h.Runner(retry, clock);
        var job = await h.Database.Jobs.EnqueueAsync(JobChanges.ToNewJob(Install("1", "SN1"), new JobContext("a1", "alice", "abc", "sha256:1")), clock.GetUtcNow(), CancellationToken.None);

        var t0 = clock.GetUtcNow();
        Assert.Equal(AttemptOutcome.WillRetry, (await runner.RunAttemptAsync((await Claim(h, runner, job.Id))!, CancellationToken.None)).Outcome);
        var queued = await h.Database.Jobs.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(t0 + TimeSpan.FromSeconds(11), queued!.NextAttemptAt); // 10 s, plus 0.5 of the 20% jitter
        Assert.Contains("install of SN1 failed: disk not found", queued.Error, StringComparison.Ordinal);
        Assert.Equal(MachineState.Installing, (await h.MachineAsync("SN1")).State);

        clock.Advance(TimeSpan.FromSeconds(10.9));
        Assert.Null(await Claim(h, runner, job.Id));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(AttemptOutcome.WillRetry, (await runner.RunAttemptAsync((await Claim(h, runner, job.Id))!, CancellationToken.None)).Outcome);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(22), (await h.Database.Jobs.GetAsync(job.Id, CancellationToken.None))!.NextAttemptAt);

        clock.Advance(TimeSpan.FromSeconds(22));
        Assert.Equal(AttemptOutcome.Replaced, (await runner.RunAttemptAsync((await Claim(h, runner, job.Id))!, CancellationToken.None)).Outcome);

        var failed = await h.Database.Jobs.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal((JobStatus.Failed, 3), (failed!.Status, failed.Attempts));
        var replacement = await h.Database.Jobs.GetAsync(failed.ReplacedBy!.Value, CancellationToken.None);
        Assert.Equal(("SN2", job.Id, JobStatus.Queued, "a1"), (replacement!.Target, replacement.ReplacementOf, replacement.Status, replacement.ApplyId));
        Assert.Equal(MachineState.Broken, (await h.MachineAsync("SN1")).State);
        var claimed = await h.MachineAsync("SN2");
        Assert.Equal((MachineState.Installing, "db"), (claimed.State, claimed.Pool));
        Assert.Contains(await h.Inventory.ListAuditAsync("SN1", CancellationToken.None), a => a.To == MachineState.Broken && a.Reason!.StartsWith("install failed 3 times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_apply_with_a_machine_that_never_installs_still_fills_the_pool_with_a_replacement_the_plan_did_not_earmark()
    {
        await using var h = await CreateAsync(provider, 4);
        h.Completions.Failing["SN1"] = true;
        await h.ReserveAsync("a1", "SN1", "SN2", "SN3"); // SN3: planned for a change not yet started
        var observer = new RecordingObserver();
        var dispatcher = new JobDispatcher(h.Runner(FastRetry, TimeProvider.System), new JobContext("a1", "alice", "abc", "sha256:1"), JobDispatchMode.InProcess, TimeSpan.FromMilliseconds(10));

        var report = await new Executor(dispatcher, ExecutorOptions.WithParallelism(4), TimeProvider.System)
            .ExecuteAsync([Install("1", "SN1"), Install("2", "SN2")], observer, CancellationToken.None);

        Assert.True(report.AllSucceeded);
        Assert.Equal(("SN4", 4), (report["1"].Machine, report["1"].Attempts));
        Assert.Equal(new[] { "SN1" }, report["1"].BrokenMachines.ToArray());
        var machines = await h.Inventory.ListMachinesAsync(null, CancellationToken.None);
        Assert.Equal(
            ["SN1 broken db", "SN2 in_use db", "SN3 available ", "SN4 in_use db"],
            machines.Select(m => $"{m.HardwareName} {m.State.ToWire()} {m.Pool}"));
        Assert.Equal(2, observer.Events.Count(e => e.Kind == ExecutionEventKind.Retrying));
        Assert.Contains(observer.Events, e => e.Kind == ExecutionEventKind.Replaced && e.Machine == "SN4" && e.Message!.Contains("SN1 is broken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replacement_passes_over_the_target_of_a_job_another_worker_has_queued()
    {
        await using var h = await CreateAsync(provider, 3);
        h.Completions.Failing["SN1"] = true;
        await h.Database.Jobs.EnqueueAsync(JobChanges.ToNewJob(Install("9", "SN2"), new JobContext("a0", "bob", null, null)), DateTimeOffset.UtcNow, CancellationToken.None);
        var dispatcher = new JobDispatcher(h.Runner(FastRetry, TimeProvider.System), new JobContext("a1", "alice", null, null), JobDispatchMode.InProcess, TimeSpan.FromMilliseconds(10));

        var report = await new Executor(dispatcher, ExecutorOptions.Default, TimeProvider.System)
            .ExecuteAsync([Install("1", "SN1")], new RecordingObserver(), CancellationToken.None);

        Assert.Equal(("SN3", MachineState.Available), (report["1"].Machine, (await h.MachineAsync("SN2")).State));
    }

    [Fact]
    public async Task The_provider_applies_through_the_lifecycle_and_a_failed_attempt_is_a_failed_result()
    {
        await using var h = await CreateAsync(provider, 2);
        h.Completions.Failing["SN2"] = true;
        var context = new ApplyContext("alice@ci", "abc123", "sha256:1", TimeProvider.System) { JobId = "7" };

        var installed = await h.Provider.ApplyAsync(Install("1", "SN1"), context, CancellationToken.None);
        var failed = await h.Provider.ApplyAsync(Install("2", "SN2"), context, CancellationToken.None);

        Assert.Equal(ChangeStatus.Applied, installed.Status);
        Assert.Equal((ChangeStatus.Failed, "install of SN2 failed: disk not found"), (failed.Status, failed.Message));
        Assert.All((await h.Inventory.ListAuditAsync("SN1", CancellationToken.None)).Where(a => a.Action == AuditAction.Transition),
            a => Assert.Equal(("alice@ci", "7", "abc123"), (a.Actor, a.JobId, a.Commit)));
        var planning = new PhysicalProvider(h.Inventory);
        await Assert.ThrowsAsync<InvalidOperationException>(() => planning.ApplyAsync(Install("1", "SN1"), context, CancellationToken.None));
    }

    [Fact]
    public async Task Without_a_free_machine_the_change_fails_and_its_dependents_are_skipped()
    {
        await using var h = await CreateAsync(provider, 1);
        h.Completions.Failing["SN1"] = true;
        var dispatcher = new JobDispatcher(h.Runner(FastRetry, TimeProvider.System), new JobContext("a1", "alice", null, null), JobDispatchMode.InProcess, TimeSpan.FromMilliseconds(10));
        var dependent = Recycle("2", "SN1") with { DependsOn = ["1"] };

        var report = await new Executor(dispatcher, ExecutorOptions.Default, TimeProvider.System)
            .ExecuteAsync([Install("1", "SN1"), dependent], new RecordingObserver(), CancellationToken.None);

        Assert.Equal((OutcomeStatus.Failed, OutcomeStatus.Skipped), (report["1"].Status, report["2"].Status));
        Assert.Contains("disk not found", report["1"].Error, StringComparison.Ordinal);
        Assert.Equal(MachineState.Broken, (await h.MachineAsync("SN1")).State);
    }

    [Fact]
    public async Task A_machine_that_is_not_in_the_inventory_fails_its_job_at_once_without_retries_or_a_replacement()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var h = await CreateAsync(provider, 2, clock);
        var runner = h.Runner(new RetryPolicy(5, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), 0.2), clock);
        var job = await h.Database.Jobs.EnqueueAsync(JobChanges.ToNewJob(Install("1", "SN404"), new JobContext("a1", "alice", "abc", "sha256:1")), clock.GetUtcNow(), CancellationToken.None);

        var result = await runner.RunAttemptAsync((await Claim(h, runner, job.Id))!, CancellationToken.None);

        Assert.Equal(AttemptOutcome.Failed, result.Outcome);
        var failed = (await h.Database.Jobs.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal((JobStatus.Failed, 1, (long?)null), (failed.Status, failed.Attempts, failed.ReplacedBy));
        Assert.Equal("error: machine SN404 is not in the inventory (not retried: retrying cannot change this)", failed.Error);
        Assert.Equal(MachineState.Available, (await h.MachineAsync("SN1")).State);
    }

    private static Task<Job?> Claim(LifecycleHarness h, JobRunner runner, long id) =>
        h.Database.Jobs.ClaimAsync(id, runner.Claim("w1", null), CancellationToken.None);
}

public sealed class SqliteMachineLifecycleTests(SqliteProvider provider) : MachineLifecycleTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresMachineLifecycleTests(PostgresProvider provider) : MachineLifecycleTests(provider), IClassFixture<PostgresProvider>;
