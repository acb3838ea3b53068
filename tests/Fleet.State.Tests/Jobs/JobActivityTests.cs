using System.Text.Json.Nodes;
using Fleet.Engine.Jobs;

namespace Fleet.State.Tests.Jobs;

/// <summary>What an apply reads about its jobs while it waits for workers, on SQLite and PostgreSQL.</summary>
public abstract class JobActivityTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private StateDatabase? database;

    private IJobBroker Broker => database!.Jobs;

    public async Task InitializeAsync() =>
        database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);

    public async Task DisposeAsync() => await database!.DisposeAsync();

    [Fact]
    public async Task An_apply_without_jobs_has_nothing_due_running_or_claimed()
    {
        var activity = await database!.JobActivity.OfApplyAsync("apply-1", T0, CancellationToken.None);

        Assert.Equal((0, 0, 0, 0L), (activity.Due, activity.Waiting, activity.Running, activity.Claims));
        Assert.Empty(activity.ExpiredLeases);
        Assert.Empty(activity.Sites);
    }

    [Fact]
    public async Task Jobs_are_counted_as_due_waiting_for_a_retry_or_running_and_a_lease_that_ran_out_is_listed()
    {
        var ids = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            ids.Add((await Broker.EnqueueAsync(NewJob("apply-1", $"c{i}", $"SN{i}"), T0, CancellationToken.None)).Id);
        }

        await Broker.EnqueueAsync(NewJob("apply-1", "z1", "lon.example.net", site: null), T0, CancellationToken.None);
        await Broker.EnqueueAsync(NewJob("apply-1", "c6", "SN6", site: "sto"), T0, CancellationToken.None);

        await Broker.EnqueueAsync(NewJob("apply-0", "c0", "SN0"), T0, CancellationToken.None); // another apply's job counts for nothing here
        await Broker.ClaimAsync(ids[0], Claim("host-a:1", T0), CancellationToken.None);
        await Broker.ClaimAsync(ids[1], Claim("host-b:2", T0), CancellationToken.None);
        await Broker.ClaimAsync(ids[2], Claim("host-a:1", T0), CancellationToken.None);
        await Broker.FailAttemptAsync(ids[2], "host-a:1", T0.AddSeconds(1), "pxe timeout", T0.AddMinutes(1), null, CancellationToken.None);
        Assert.True(await Broker.HeartbeatAsync(ids[0], "host-a:1", T0.AddSeconds(50), CancellationToken.None));

        // host-b stopped sending heartbeats: its lease ran out at T0 + 30 s.
        var activity = await database!.JobActivity.OfApplyAsync("apply-1", T0.AddSeconds(40), CancellationToken.None);

        Assert.Equal((5, 1, 1, 3L), (activity.Due, activity.Waiting, activity.Running, activity.Claims));
        Assert.Equal(
            [new SiteJobActivity(null, 1, 0, 0), new SiteJobActivity("lon", 3, 1, 3), new SiteJobActivity("sto", 1, 0, 0)],
            activity.Sites.OrderBy(s => s.Site, StringComparer.Ordinal));
        var lost = Assert.Single(activity.ExpiredLeases);
        Assert.Equal(new ExpiredLease(ids[1], "install", "SN2", "host-b:2", T0 + Lease, 1), lost);
    }

    [Fact]
    public async Task A_takeover_is_recorded_by_the_claim_even_when_the_job_finishes_before_anyone_reads()
    {
        var id = (await Broker.EnqueueAsync(NewJob("apply-1", "c1", "SN1"), T0, CancellationToken.None)).Id;
        await Broker.ClaimAsync(id, Claim("host-a:1", T0), CancellationToken.None);
        Assert.Empty((await database!.JobActivity.OfApplyAsync("apply-1", T0.AddSeconds(5), CancellationToken.None)).Takeovers);

        // host-a died; host-b takes the job over and finishes it between two readings of the apply.
        Assert.NotNull(await Broker.ClaimAsync(id, Claim("host-b:2", T0.AddSeconds(31)), CancellationToken.None));
        Assert.True(await Broker.FinishAsync(id, "host-b:2", T0.AddSeconds(32), CancellationToken.None));
        var activity = await database!.JobActivity.OfApplyAsync("apply-1", T0.AddSeconds(40), CancellationToken.None);

        Assert.Empty(activity.ExpiredLeases);
        Assert.Equal(new Takeover(new ExpiredLease(id, "install", "SN1", "host-a:1", T0 + Lease, 1), 1, "host-b:2"), Assert.Single(activity.Takeovers));
    }

    private static NewJob NewJob(string applyId, string changeId, string target, string? site = "lon") =>
        new(applyId, changeId, "install", target, site, new JsonObject { ["id"] = changeId }, "alice@ci", null, "sha256:00");

    private static JobClaim Claim(string worker, DateTimeOffset now) => new(worker, null, now, now + Lease);
}

public sealed class SqliteJobActivityTests(SqliteProvider provider) : JobActivityTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresJobActivityTests(PostgresProvider provider) : JobActivityTests(provider), IClassFixture<PostgresProvider>;
