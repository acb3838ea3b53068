using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// A change carries everything its apply needs: a zone push planned from a commit (<c>apply --ref</c>)
/// is rendered from that commit by the <c>fleetctl worker</c> that runs it, even when the worker's
/// working tree says otherwise (another checkout, uncommitted edits).
/// </summary>
public sealed class ExternalWorkerCommitTests
{
    [Fact]
    public async Task A_worker_whose_working_tree_differs_pushes_the_zone_content_of_the_applied_commit()
    {
        using var fleet = TestFleet.Quickstart(installSeconds: 0.02);
        var zone = Path.Combine(fleet.Directory, "zones", "lon.example.net.yaml");
        File.WriteAllText(zone, File.ReadAllText(zone).Replace("value: 10.1.0.10", "value: 10.1.0.11", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(fleet.Directory, ".gitignore"), ".fleet/\n");
        GitRepository.Run(fleet.Directory, "init", "-q", "-b", "main");
        GitRepository.Run(fleet.Directory, "add", "-A");
        GitRepository.Run(fleet.Directory, "commit", "-q", "-m", "lb at 10.1.0.11");
        var commit = GitRepository.Run(fleet.Directory, "rev-parse", "HEAD").Trim();
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);

        // The working tree the worker reads moves on: lb at 10.1.0.99, not committed.
        File.WriteAllText(zone, File.ReadAllText(zone).Replace("value: 10.1.0.11", "value: 10.1.0.99", StringComparison.Ordinal));

        var worker = fleet.Start("worker", "--concurrency", "4");
        var apply = fleet.Start("apply", "--auto-approve", "--workers", "external", "--ref", commit);
        var applyOut = apply.StandardOutput.ReadToEndAsync();
        var applyErr = apply.StandardError.ReadToEndAsync();
        var workerOut = worker.StandardOutput.ReadToEndAsync();
        var workerErr = worker.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await apply.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            foreach (var process in new[] { worker, apply }.Where(p => !p.HasExited))
            {
                process.Kill();
            }
        }

        await worker.WaitForExitAsync();
        var log = $"apply:\n{await applyOut}{await applyErr}\nworker:\n{await workerOut}{await workerErr}";
        Assert.True(apply.ExitCode == 0, log);
        Assert.Contains("job ", await workerOut, StringComparison.Ordinal);
        var served = File.ReadAllText(Path.Combine(fleet.Directory, ".fleet", "zones", "lon.example.net.zone"));
        Assert.Contains("lb\t300\tIN\tA\t10.1.0.11", served, StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.0.99", served, StringComparison.Ordinal);
    }
}
