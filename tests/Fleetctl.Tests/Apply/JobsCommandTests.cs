using System.Text.Json.Nodes;
using Fleet.Engine.Jobs;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// <c>fleetctl jobs list|show|retry</c> on jobs as workers leave them: one running on a live lease,
/// one whose worker died (its lease ran out), one failed for good.
/// </summary>
public sealed class JobsCommandTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly TestFleet fleet = TestFleet.Quickstart();

    public void Dispose() => fleet.Dispose();

    [Fact]
    public async Task A_job_whose_worker_died_reads_as_running_with_its_lease_expired_in_the_table_and_in_show()
    {
        var (live, lost, _) = await SeedAsync();

        var list = await fleet.RunAsync("jobs", "list");

        Assert.Equal(0, list.Exit);
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID  ACTION   TARGET  SITE  STATUS", rows[0], StringComparison.Ordinal);
        Assert.Contains(rows, r => r.StartsWith($"{lost.Id} ", StringComparison.Ordinal) && r.Contains("  running (lease expired)  1 ", StringComparison.Ordinal) && r.Contains("host-b:2", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith($"{live.Id} ", StringComparison.Ordinal) && r.Contains("  running  ", StringComparison.Ordinal) && !r.Contains("expired", StringComparison.Ordinal));

        var show = await fleet.RunAsync("jobs", "show", lost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, show.Exit);
        Assert.Contains(
            $"status:         running, but its lease ran out at {lost.LeaseUntil:O}: worker host-b:2 stopped sending heartbeats (died or lost the database); the next worker takes the job over\n",
            show.Out,
            StringComparison.Ordinal);

        var json = JsonNode.Parse((await fleet.RunAsync("jobs", "show", lost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json")).Out)!;
        Assert.Equal(("running", "host-b:2"), (json["status"]!.GetValue<string>(), json["worker"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_failed_job_is_retried_with_a_fresh_budget_and_list_filters_by_status()
    {
        var (_, _, failed) = await SeedAsync();
        var id = failed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var failedOnly = JsonNode.Parse((await fleet.RunAsync("jobs", "list", "--status", "failed", "--format", "json")).Out)!.AsArray();
        Assert.Equal([failed.Id], failedOnly.Select(j => j!["id"]!.GetValue<long>()));

        var retry = await fleet.RunAsync("jobs", "retry", id);
        Assert.Equal((0, $"job {id} (install SN3) queued again; a worker (fleetctl worker) will take it\n"), (retry.Exit, retry.Out));
        var queued = JsonNode.Parse((await fleet.RunAsync("jobs", "show", id, "--format", "json")).Out)!;
        Assert.Equal(("queued", 0), (queued["status"]!.GetValue<string>(), queued["attempts"]!.GetValue<int>()));

        Assert.Equal((1, "error: --status: unknown status 'stuck'; expected queued, running, finished or failed\n"), Exit(await fleet.RunAsync("jobs", "list", "--status", "stuck")));
        Assert.Equal((1, "error: 'x1' is not a job id (a positive number)\n"), Exit(await fleet.RunAsync("jobs", "show", "x1")));
        Assert.Equal((1, "error: job 999 does not exist\n"), Exit(await fleet.RunAsync("jobs", "retry", "999")));
    }

    private static (int, string) Exit((int Exit, string Out, string Err) run) => (run.Exit, run.Err);

    /// <summary>Three jobs of an apply: running on a live lease, running on a lease that ran out a minute ago, failed.</summary>
    private async Task<(Job Live, Job Lost, Job Failed)> SeedAsync()
    {
        await using var database = await fleet.OpenAsync();
        var now = DateTimeOffset.UtcNow;
        var jobs = new List<Job>();
        for (var i = 1; i <= 3; i++)
        {
            jobs.Add(await database.Jobs.EnqueueAsync(
                new NewJob("apply-1", $"c{i}", "install", $"SN{i}", "lon", new JsonObject { ["id"] = $"c{i}" }, "alice@ci", null, "sha256:00"), now.AddMinutes(-5), CancellationToken.None));
        }

        var live = await database.Jobs.ClaimAsync(jobs[0].Id, new JobClaim("host-a:1", null, now, now + Lease), CancellationToken.None);
        var lost = await database.Jobs.ClaimAsync(jobs[1].Id, new JobClaim("host-b:2", null, now.AddMinutes(-2), now.AddMinutes(-2) + Lease), CancellationToken.None);
        await database.Jobs.ClaimAsync(jobs[2].Id, new JobClaim("host-a:1", null, now, now + Lease), CancellationToken.None);
        Assert.True(await database.Jobs.FailAttemptAsync(jobs[2].Id, "host-a:1", now, "pxe timeout", null, null, CancellationToken.None));
        var failed = await database.Jobs.GetAsync(jobs[2].Id, CancellationToken.None);
        return (live!, lost!, failed!);
    }
}
