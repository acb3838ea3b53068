using System.Text.RegularExpressions;
using Fleet.Engine.Jobs;
using Fleet.State;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Console;

/// <summary>
/// The quickstart fleet ingested and applied (21 machines in_use in five pools, 19 available), for
/// tests that read the console and the metrics of what an apply did.
/// </summary>
internal static partial class AppliedFleet
{
    public const string AdminToken = "admin-token-for-tests-0123456789";
    public const string ViewerToken = "viewer-token-for-tests-0123456789";

    public static async Task<TestFleet> CreateAsync()
    {
        var fleet = TestFleet.Quickstart();
        fleet.SetEnvironment("FLEET_ADMIN_TOKEN", AdminToken);
        fleet.SetEnvironment("FLEET_VIEWER_TOKEN", ViewerToken);
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        var apply = await fleet.RunAsync("apply", "--auto-approve");
        Assert.True(apply.Exit == 0, apply.Out + apply.Err);
        return fleet;
    }

    /// <summary>
    /// A failed job, as a worker that gave up on it leaves it: a second install of a machine the apply
    /// installed, with the same change.
    /// </summary>
    public static async Task<Job> FailedJobAsync(TestFleet fleet)
    {
        await using var database = await fleet.OpenAsync();
        var now = DateTimeOffset.UtcNow;
        var installed = (await database.Jobs.ListAsync(new JobQuery(JobStatus.Finished), CancellationToken.None)).First(j => j.Action == "install");
        var job = await database.Jobs.EnqueueAsync(
            new NewJob(null, installed.ChangeId, installed.Action, installed.Target, installed.Site, installed.Params.DeepClone().AsObject(), "test", null, null), now, CancellationToken.None);
        Assert.NotNull(await database.Jobs.ClaimAsync(job.Id, new JobClaim("test-worker", null, now, now.AddMinutes(1)), CancellationToken.None));
        Assert.True(await database.Jobs.FailAttemptAsync(job.Id, "test-worker", now, "the BMC at 10.0.0.9:623 did not answer", null, null, CancellationToken.None));
        return (await database.Jobs.GetAsync(job.Id, CancellationToken.None))!;
    }

    public static async Task<JobStatus> JobStatusAsync(TestFleet fleet, long id)
    {
        await using var database = await fleet.OpenAsync();
        return (await database.Jobs.GetAsync(id, CancellationToken.None))!.Status;
    }

    /// <summary>The CSRF token in a page's action form.</summary>
    public static string Csrf(string page) => CsrfField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("no CSRF token on the page");

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
