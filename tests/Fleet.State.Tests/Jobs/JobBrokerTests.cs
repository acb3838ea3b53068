using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Fleet.Engine.Jobs;

namespace Fleet.State.Tests.Jobs;

/// <summary>The job broker's behaviour, run unchanged against SQLite and PostgreSQL.</summary>
public abstract class JobBrokerTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private StateDatabase? database;

    private IJobBroker Broker => database!.Jobs;

    public async Task InitializeAsync() =>
        database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);

    public async Task DisposeAsync() => await database!.DisposeAsync();

    [Fact]
    public async Task A_queued_job_is_claimed_once_with_a_lease_and_counts_an_attempt()
    {
        var job = await Enqueue("1", site: "lon");

        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal(0, job.Attempts);
        Assert.Equal(T0, job.CreatedAt);
        var claimed = await Broker.ClaimNextAsync(Claim("w1", T0), CancellationToken.None);
        Assert.NotNull(claimed);
        Assert.Equal((job.Id, JobStatus.Running, 1, "w1"), (claimed.Id, claimed.Status, claimed.Attempts, claimed.Worker));
        Assert.Equal(T0 + Lease, claimed.LeaseUntil);
        Assert.Equal(T0, claimed.StartedAt);
        Assert.Equal("SN1", claimed.Target);
        Assert.Equal("lon", claimed.Params["site"]!.GetValue<string>());
        Assert.Null(await Broker.ClaimNextAsync(Claim("w2", T0.AddSeconds(1)), CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_worker_holding_the_job_can_finish_it()
    {
        var job = await Enqueue("1");
        await Broker.ClaimNextAsync(Claim("w1", T0), CancellationToken.None);

        Assert.False(await Broker.FinishAsync(job.Id, "w2", T0.AddSeconds(1), CancellationToken.None));
        Assert.True(await Broker.FinishAsync(job.Id, "w1", T0.AddSeconds(2), CancellationToken.None));
        var finished = await Broker.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(JobStatus.Finished, finished!.Status);
        Assert.Equal(T0.AddSeconds(2), finished.EndedAt);
        Assert.Null(finished.LeaseUntil);
    }

    [Fact]
    public async Task A_failed_attempt_waits_for_its_backoff_before_anyone_can_claim_it_again()
    {
        var job = await Enqueue("1");
        await Broker.ClaimNextAsync(Claim("w1", T0), CancellationToken.None);
        var next = T0.AddSeconds(10);

        Assert.True(await Broker.FailAttemptAsync(job.Id, "w1", T0.AddSeconds(1), "pxe timeout", next, null, CancellationToken.None));

        var queued = await Broker.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal((JobStatus.Queued, 1, "pxe timeout", next), (queued!.Status, queued.Attempts, queued.Error, queued.NextAttemptAt));
        Assert.Null(await Broker.ClaimNextAsync(Claim("w2", next.AddMilliseconds(-1)), CancellationToken.None));
        Assert.Null(await Broker.ClaimAsync(job.Id, Claim("w2", next.AddMilliseconds(-1)), CancellationToken.None));
        var again = await Broker.ClaimAsync(job.Id, Claim("w2", next), CancellationToken.None);
        Assert.Equal((2, "w2"), (again!.Attempts, again.Worker));

        Assert.True(await Broker.FailAttemptAsync(job.Id, "w2", next.AddSeconds(1), "pxe timeout again", null, null, CancellationToken.None));
        var failed = await Broker.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal((JobStatus.Failed, "pxe timeout again", next.AddSeconds(1)), (failed!.Status, failed.Error, failed.EndedAt));
        Assert.Null(await Broker.ClaimNextAsync(Claim("w3", next.AddDays(1)), CancellationToken.None));
    }

    [Fact]
    public async Task A_job_whose_worker_stopped_heartbeating_is_taken_over_and_the_old_worker_is_refused()
    {
        var job = await Enqueue("1");
        await Broker.ClaimNextAsync(Claim("w1", T0), CancellationToken.None);
        Assert.True(await Broker.HeartbeatAsync(job.Id, "w1", T0.AddSeconds(40), CancellationToken.None));

        Assert.Null(await Broker.ClaimNextAsync(Claim("w2", T0.AddSeconds(35)), CancellationToken.None));
        var taken = await Broker.ClaimNextAsync(Claim("w2", T0.AddSeconds(41)), CancellationToken.None);

        Assert.Equal((job.Id, "w2", 2), (taken!.Id, taken.Worker, taken.Attempts));
        Assert.False(await Broker.HeartbeatAsync(job.Id, "w1", T0.AddSeconds(80), CancellationToken.None));
        Assert.False(await Broker.FinishAsync(job.Id, "w1", T0.AddSeconds(42), CancellationToken.None));
        Assert.False(await Broker.FailAttemptAsync(job.Id, "w1", T0.AddSeconds(42), "late", null, null, CancellationToken.None));
        Assert.True(await Broker.FinishAsync(job.Id, "w2", T0.AddSeconds(43), CancellationToken.None));
    }

    [Fact]
    public async Task A_site_worker_takes_only_its_site_and_jobs_come_oldest_first()
    {
        await Enqueue("1", site: "sto");
        var lon1 = await Enqueue("2", site: "lon");
        var lon2 = await Enqueue("3", site: "lon");

        var first = await Broker.ClaimNextAsync(Claim("w", T0, site: "lon"), CancellationToken.None);
        var second = await Broker.ClaimNextAsync(Claim("w", T0, site: "lon"), CancellationToken.None);

        Assert.Equal([lon1.Id, lon2.Id], [first!.Id, second!.Id]);
        Assert.Null(await Broker.ClaimNextAsync(Claim("w", T0, site: "lon"), CancellationToken.None));
        Assert.Equal("sto", (await Broker.ClaimNextAsync(Claim("w", T0), CancellationToken.None))!.Site);
    }

    [Fact]
    public async Task Concurrent_workers_never_take_the_same_job()
    {
        const int jobs = 120;
        for (var i = 0; i < jobs; i++)
        {
            await Enqueue($"{i}");
        }

        var taken = new ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            while (await Broker.ClaimNextAsync(Claim($"w{w}", T0), CancellationToken.None) is { } job)
            {
                taken.Add(job.Id);
            }
        })));

        Assert.Equal(jobs, taken.Count);
        Assert.Equal(jobs, taken.Distinct().Count());
    }

    [Fact]
    public async Task A_job_given_up_on_links_to_its_replacement_and_retry_queues_a_failed_job_with_a_fresh_budget()
    {
        var job = await Enqueue("1");
        await Broker.ClaimNextAsync(Claim("w1", T0), CancellationToken.None);
        var replacement = await Broker.EnqueueAsync(NewJob("1", "SN2") with { ReplacementOf = job.Id }, T0, CancellationToken.None);
        Assert.True(await Broker.FailAttemptAsync(job.Id, "w1", T0, "broken", null, replacement.Id, CancellationToken.None));

        var failed = await Broker.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(replacement.Id, failed!.ReplacedBy);
        Assert.Equal(job.Id, replacement.ReplacementOf);

        var retried = await Broker.RetryAsync(job.Id, T0.AddMinutes(1), CancellationToken.None);
        Assert.Equal((JobStatus.Queued, 0), (retried!.Status, retried.Attempts));
        Assert.Null(await Broker.RetryAsync(replacement.Id, T0, CancellationToken.None));
        Assert.Equal([replacement.Id, job.Id], (await Broker.ListAsync(new JobQuery(Status: JobStatus.Queued), CancellationToken.None)).Select(j => j.Id));
    }

    [Fact]
    public async Task Abandons_the_unfinished_jobs_of_dead_applies_but_not_those_a_live_worker_holds()
    {
        var queuedOld = await Broker.EnqueueAsync(NewJob("1", "SN1") with { ApplyId = "old" }, T0, CancellationToken.None);
        var inProcessOld = await Broker.EnqueueAsync(NewJob("2", "SN2") with { ApplyId = "old" }, T0, CancellationToken.None);
        var externalOld = await Broker.EnqueueAsync(NewJob("3", "SN3") with { ApplyId = "old" }, T0, CancellationToken.None);
        var current = await Broker.EnqueueAsync(NewJob("4", "SN4") with { ApplyId = "new" }, T0, CancellationToken.None);
        await Broker.ClaimAsync(inProcessOld.Id, Claim(JobDispatcher.InProcessWorkerPrefix + "old", T0), CancellationToken.None);
        await Broker.ClaimAsync(externalOld.Id, Claim("worker-lon-1", T0), CancellationToken.None);

        var abandoned = await Broker.AbandonOrphansAsync("new", T0.AddSeconds(5), CancellationToken.None);

        Assert.Equal([queuedOld.Id, inProcessOld.Id], abandoned.Select(j => j.Id).Order());
        Assert.All(abandoned, j => Assert.Equal(JobStatus.Failed, j.Status));
        Assert.Contains("abandoned", abandoned[0].Error, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Running, (await Broker.GetAsync(externalOld.Id, CancellationToken.None))!.Status);
        Assert.Equal(JobStatus.Queued, (await Broker.GetAsync(current.Id, CancellationToken.None))!.Status);
        Assert.Equal([externalOld.Id], (await Broker.AbandonOrphansAsync("new", T0.AddMinutes(5), CancellationToken.None)).Select(j => j.Id));
    }

    [Fact]
    public async Task An_enqueued_job_is_returned_as_it_is_recorded()
    {
        var now = T0.AddTicks(1234567); // finer than the database keeps
        var claim = new JobClaim("w1", null, now, now + Lease);

        var queued = await Broker.EnqueueAsync(NewJob("1", "SN1"), now, CancellationToken.None);
        var claimed = await Broker.EnqueueClaimedAsync(NewJob("2", "SN2", "lon") with { ReplacementOf = queued.Id }, claim, CancellationToken.None);

        foreach (var job in new[] { queued, claimed })
        {
            var read = await Broker.GetAsync(job.Id, CancellationToken.None);
            var none = new JsonObject(); // compared below: records compare JSON by reference
            Assert.Equal(read! with { Params = none }, job with { Params = none });
            Assert.True(JsonNode.DeepEquals(read.Params, job.Params));
        }

        Assert.Equal((JobStatus.Running, 1, "w1"), (claimed.Status, claimed.Attempts, claimed.Worker));
    }

    private Task<Job> Enqueue(string changeId, string? site = null) =>
        Broker.EnqueueAsync(NewJob(changeId, $"SN{changeId}", site), T0, CancellationToken.None);

    private static NewJob NewJob(string changeId, string target, string? site = null) => new(
        "apply-1",
        changeId,
        "install",
        target,
        site,
        new JsonObject { ["id"] = changeId, ["machine"] = target, ["site"] = site },
        "alice@ci",
        "0123456789abcdef0123456789abcdef01234567",
        "sha256:00");

    private static JobClaim Claim(string worker, DateTimeOffset now, string? site = null) => new(worker, site, now, now + Lease);
}

public sealed class SqliteJobBrokerTests(SqliteProvider provider) : JobBrokerTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresJobBrokerTests(PostgresProvider provider) : JobBrokerTests(provider), IClassFixture<PostgresProvider>;
