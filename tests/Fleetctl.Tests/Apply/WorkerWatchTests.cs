using System.Collections.Immutable;
using Fleet.Engine.GitOps;
using Fleet.Engine.Jobs;
using Fleetctl.Apply;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// When an apply that waits on worker processes warns, reading after reading: no worker taking the
/// due jobs for 30 s, then at doubling intervals; never while a worker holds a job or anything was
/// claimed; a lost worker's job once per attempt.
/// </summary>
public sealed class WorkerWatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly JobActivity Stalled = new(Due: 20, Waiting: 0, Running: 0, Claims: 0, []);

    [Fact]
    public void With_jobs_due_and_no_worker_it_warns_after_30_s_then_after_1_2_4_8_minutes_and_at_most_every_5_minutes()
    {
        var watch = Watch();
        var warned = new List<TimeSpan>();
        for (var at = TimeSpan.FromSeconds(5); at <= TimeSpan.FromMinutes(20); at += TimeSpan.FromSeconds(5))
        {
            warned.AddRange(watch.Observe(Stalled, T0 + at).Select(w => w.At - T0));
        }

        Assert.Equal([30, 60, 120, 240, 480, 780, 1080], warned.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void The_warning_says_how_many_jobs_wait_for_how_long_and_how_to_start_a_worker()
    {
        var watch = Watch();

        var warning = Assert.Single(watch.Observe(Stalled with { Due = 2_000, Waiting = 3 }, T0.AddSeconds(90)));

        Assert.Equal(WorkerWatch.NoWorkerEvent, warning.Event);
        Assert.Equal("2,000 jobs queued and no worker has taken one for 1m30s; start one with: fleetctl worker -C /srv/fleet", warning.Message);
        Assert.Equal(
            ["queued=2000", "waitingToRetry=3", "idleSeconds=90", "command=\"fleetctl worker -C /srv/fleet\""],
            warning.Fields.Select(f => $"{f.Key}={f.Value!.ToJsonString()}"));
    }

    [Fact]
    public void A_job_running_on_a_live_lease_a_claim_since_the_last_reading_or_nothing_due_restarts_the_wait()
    {
        var watch = Watch();
        Assert.Empty(watch.Observe(Stalled, T0.AddSeconds(25)));
        Assert.Empty(watch.Observe(Stalled with { Running = 1, Claims = 1 }, T0.AddSeconds(30))); // a worker holds a job
        Assert.Empty(watch.Observe(Stalled with { Claims = 1 }, T0.AddSeconds(55)));
        Assert.Single(watch.Observe(Stalled with { Claims = 1 }, T0.AddSeconds(60)));
        Assert.Empty(watch.Observe(Stalled with { Claims = 2 }, T0.AddSeconds(65))); // claimed and done between two readings
        Assert.Empty(watch.Observe(Stalled with { Claims = 2 }, T0.AddSeconds(94)));
        Assert.Empty(watch.Observe(Stalled with { Due = 0, Waiting = 20, Claims = 2 }, T0.AddSeconds(200))); // all waiting for their retry
        Assert.Empty(watch.Observe(Stalled with { Claims = 2 }, T0.AddSeconds(229)));
        Assert.Single(watch.Observe(Stalled with { Claims = 2 }, T0.AddSeconds(230))); // 30 s again, not the next repeat of before
    }

    [Fact]
    public void Each_reading_tells_the_display_what_runs_what_is_queued_and_since_when_no_worker_took_a_job()
    {
        var watch = Watch();

        watch.Observe(Stalled with { Waiting = 2 }, T0.AddSeconds(5));
        Assert.Equal(new WorkersState(0, 20, 2, T0), watch.State);
        watch.Observe(Stalled with { Running = 3, Claims = 3 }, T0.AddSeconds(10));
        Assert.Equal(new WorkersState(3, 20, 0, null), watch.State);
        watch.Observe(Stalled with { Claims = 3 }, T0.AddSeconds(15));
        Assert.Equal(new WorkersState(0, 20, 0, T0.AddSeconds(10)), watch.State);
    }

    [Fact]
    public void A_job_whose_worker_died_is_reported_once_per_attempt_naming_the_worker()
    {
        var watch = Watch();
        var lost = new ExpiredLease(17, "install", "SN2", "host-b:4242", T0.AddSeconds(30), 1);
        var busy = new JobActivity(Due: 1, Waiting: 0, Running: 3, Claims: 4, [lost]);

        var warning = Assert.Single(watch.Observe(busy, T0.AddSeconds(35)));
        Assert.Empty(watch.Observe(busy, T0.AddSeconds(40)));
        Assert.Single(watch.Observe(busy with { Claims = 5, ExpiredLeases = [lost with { Attempts = 2, LeaseUntil = T0.AddSeconds(90) }] }, T0.AddSeconds(95)));

        Assert.Equal(WorkerWatch.LeaseExpiredEvent, warning.Event);
        Assert.Equal(
            "job 17 (install SN2) lost its worker host-b:4242: no heartbeat, its lease ran out at 2026-03-01 12:00:30Z (the worker died or lost the database); the next worker to ask takes it over",
            warning.Message);
        Assert.Contains(new KeyValuePair<string, string>("worker", "\"host-b:4242\""), warning.Fields.Select(f => KeyValuePair.Create(f.Key, f.Value!.ToJsonString())));
    }

    [Fact]
    public void Every_takeover_is_reported_once_even_one_no_reading_saw_as_an_expired_lease()
    {
        var watch = Watch();
        var seen = new ExpiredLease(17, "install", "SN2", "host-b:4242", T0.AddSeconds(30), 1);
        var busy = new JobActivity(Due: 0, Waiting: 0, Running: 3, Claims: 4, []);

        // Seen expiring, then taken over: one report.
        Assert.Single(watch.Observe(busy with { ExpiredLeases = [seen] }, T0.AddSeconds(35)));
        Assert.Empty(watch.Observe(busy with { Takeovers = [new Takeover(seen, 1, "host-c:1")] }, T0.AddSeconds(40)));

        // Taken over between two readings (never seen expiring), then twice more before the next reading.
        var unseen = new ExpiredLease(18, "recycle", "SN3", "host-d:7", T0.AddSeconds(41), 1);
        var first = Assert.Single(watch.Observe(busy with { Takeovers = [new Takeover(seen, 1, "host-c:1"), new Takeover(unseen, 1, "host-c:1")] }, T0.AddSeconds(45)));
        var again = Assert.Single(watch.Observe(busy with { Takeovers = [new Takeover(seen, 1, "host-c:1"), new Takeover(unseen with { Worker = "host-e:2", Attempts = 3 }, 3, "host-f:3")] }, T0.AddSeconds(90)));
        Assert.Empty(watch.Observe(busy with { Takeovers = [new Takeover(seen, 1, "host-c:1"), new Takeover(unseen with { Worker = "host-e:2", Attempts = 3 }, 3, "host-f:3")] }, T0.AddSeconds(95)));

        Assert.Equal(
            "job 18 (recycle SN3) lost its worker host-d:7: no heartbeat, its lease ran out at 2026-03-01 12:00:41Z (the worker died or lost the database); worker host-c:1 took it over",
            first.Message);
        Assert.Equal(
            "job 18 (recycle SN3) lost its worker host-e:2: no heartbeat, its lease ran out at 2026-03-01 12:00:41Z (the worker died or lost the database); worker host-f:3 took it over (3 takeovers of this job so far)",
            again.Message);
        Assert.Equal(WorkerWatch.LeaseExpiredEvent, again.Event);
    }

    [Fact]
    public void With_the_warning_turned_off_only_lost_workers_are_reported()
    {
        var watch = new WorkerWatch(new NoJobs(), "apply-1", TimeProvider.System, WorkerWatchOptions.For(TimeSpan.Zero), Command);
        watch.Start(T0);

        Assert.Empty(watch.Observe(Stalled, T0.AddHours(1)));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59.9, "59s")]
    [InlineData(60, "1m")]
    [InlineData(150, "2m30s")]
    [InlineData(3600, "1h")]
    [InlineData(3900, "1h5m")]
    public void Durations_read_as_people_say_them(double seconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void It_reads_the_jobs_a_few_times_within_the_warning_delay()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), WorkerWatchOptions.For(TimeSpan.FromSeconds(30)).PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), WorkerWatchOptions.For(TimeSpan.FromSeconds(2)).PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), WorkerWatchOptions.For(TimeSpan.Zero).PollInterval);
    }

    [Fact]
    public void The_worker_command_reminds_that_a_worker_needs_the_same_FLEET_INVENTORY_without_printing_it()
    {
        var plain = new CliHost(TextWriter.Null, TextWriter.Null, TextReader.Null, ImmutableDictionary<string, string>.Empty, "/", false, TimeProvider.System);
        var overridden = plain with { Environment = plain.Environment.Add("FLEET_INVENTORY", "postgres://fleet:s3cret@db/fleet") };

        Assert.Equal("fleetctl worker -C /srv/fleet", ApplyWorkflow.WorkerCommand("/srv/fleet", plain));
        Assert.Equal("fleetctl worker -C /srv/fleet (with this apply's FLEET_INVENTORY)", ApplyWorkflow.WorkerCommand("/srv/fleet", overridden));
    }

    [Fact]
    public void A_site_whose_jobs_no_worker_takes_is_named_while_other_sites_progress_with_the_command_for_that_site()
    {
        var watch = Watch();
        JobActivity Reading(long lonClaims) => new(Due: 12, Waiting: 0, Running: 2, Claims: lonClaims, [],
        [
            new SiteJobActivity("lon", Due: 8, Running: 2, Claims: lonClaims),
            new SiteJobActivity("sto", Due: 3, Running: 0, Claims: 0),
            new SiteJobActivity(null, Due: 1, Running: 0, Claims: 0),
        ]);

        var warnings = new List<ProgressWarning>();
        for (var at = 5; at <= 60; at += 5)
        {
            warnings.AddRange(watch.Observe(Reading(lonClaims: at), T0.AddSeconds(at)));
        }

        Assert.Equal(
        [
            "30 3 jobs of site sto queued and no worker has taken one for 30s; start one with: fleetctl worker -C /srv/fleet --site sto",
            "30 1 job without a site queued and no worker has taken one for 30s; workers started with --site never take them; start one without: fleetctl worker -C /srv/fleet",
            "60 3 jobs of site sto queued and no worker has taken one for 1m; start one with: fleetctl worker -C /srv/fleet --site sto",
            "60 1 job without a site queued and no worker has taken one for 1m; workers started with --site never take them; start one without: fleetctl worker -C /srv/fleet",
        ],
            warnings.Select(w => $"{(w.At - T0).TotalSeconds} {w.Message}"));
        Assert.Equal(["site=\"sto\"", "queued=3", "idleSeconds=30", "command=\"fleetctl worker -C /srv/fleet --site sto\""], warnings[0].Fields.Select(f => $"{f.Key}={f.Value!.ToJsonString()}"));
        Assert.Null(Assert.Single(warnings[1].Fields, f => f.Key == "site").Value);
    }

    [Fact]
    public void When_no_site_progresses_one_warning_covers_the_apply_instead_of_one_per_site()
    {
        var watch = Watch();
        var reading = Stalled with { Sites = [new SiteJobActivity("lon", 12, 0, 0), new SiteJobActivity("sto", 8, 0, 0)] };

        var warning = Assert.Single(Enumerable.Range(1, 6).SelectMany(i => watch.Observe(reading, T0.AddSeconds(5 * i))));

        Assert.StartsWith("20 jobs queued and no worker has taken one for 30s; start one with: fleetctl worker -C /srv/fleet", warning.Message, StringComparison.Ordinal);
    }

    private static string Command(string? site) => site is null ? "fleetctl worker -C /srv/fleet" : $"fleetctl worker -C /srv/fleet --site {site}";

    private static WorkerWatch Watch()
    {
        var watch = new WorkerWatch(new NoJobs(), "apply-1", TimeProvider.System, WorkerWatchOptions.For(WorkerWatchOptions.DefaultNoWorkerAfter), Command);
        watch.Start(T0);
        return watch;
    }

    /// <summary>Readings are fed to <see cref="WorkerWatch.Observe"/> directly in these tests.</summary>
    private sealed class NoJobs : IJobActivity
    {
        public Task<JobActivity> OfApplyAsync(string applyId, DateTimeOffset now, CancellationToken cancellationToken) =>
            Task.FromResult(new JobActivity(0, 0, 0, 0, ImmutableArray<ExpiredLease>.Empty));
    }
}
