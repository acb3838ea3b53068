using System.CommandLine;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;
using Fleet.Engine.Loading;
using Fleetctl.Apply;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl worker [--site S] [--concurrency N]</c>: takes jobs from the job broker and runs them
/// until interrupted; several workers on several hosts share the work (PostgreSQL hands each job to
/// one of them). <c>--once</c> stops when nothing is due, for scripts.
/// </summary>
public static class WorkerCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var site = new Option<string?>("--site") { Description = "Only take jobs of this site (default: every site)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Jobs run at once.", DefaultValueFactory = _ => 10 };
        var once = new Option<bool>("--once") { Description = "Stop when no job is due instead of waiting for more." };
        var wiring = new ApplyWiring();
        var command = new Command("worker", "Run jobs from the job broker (installs, recycles) until stopped.") { site, concurrency, once };
        wiring.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(concurrency) < 1)
            {
                throw new FleetException("--concurrency must be at least 1");
            }

            var (desired, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                if (parse.GetValue(site) is { } wanted && desired.FindSite(wanted) is null)
                {
                    throw new FleetException($"--site: site {wanted} is not declared in fleet.yaml");
                }

                var runner = new JobRunner(database.Jobs, ApplyWiring.Handler(desired, database, FleetProviders.Create(database, desired, new DirectorySource(global.FleetDirectory(parse, host)), global.FleetDirectory(parse, host), host), host), wiring.RunnerOptions(parse), host.Clock);
                var name = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");
                var worker = new JobWorker(runner, name, parse.GetValue(site), parse.GetValue(concurrency), TimeSpan.FromMilliseconds(200));
                await host.Out.WriteLineAsync($"worker {name}: taking jobs of {parse.GetValue(site) ?? "every site"} from {database.Description}");
                var gate = new Lock();
                try
                {
                    var attempts = await worker.RunAsync(
                        (job, result) =>
                        {
                            lock (gate)
                            {
                                host.Out.WriteLine($"job {job.Id} {job.Action} {job.Target}: {result.Outcome.ToString().ToLowerInvariant()}");
                            }
                        },
                        parse.GetValue(once),
                        ct);
                    await host.Out.WriteLineAsync($"worker {name}: ran {attempts} attempts");
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    await host.Out.WriteLineAsync($"worker {name}: stopped");
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }
}
