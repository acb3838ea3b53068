using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;
using Fleet.Engine.Loading;
using Fleetctl.Apply;
using Fleetctl.Logging;
using Fleetctl.Serve.Metrics;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl worker [--site S] [--concurrency N]</c>: takes jobs from the job broker and runs them
/// until interrupted; several workers on several hosts share the work (PostgreSQL hands each job to
/// one of them). <c>--once</c> stops when nothing is due, for scripts. <c>--metrics-listen ADDR</c>
/// serves <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> while it runs.
/// </summary>
public static class WorkerCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var site = new Option<string?>("--site") { Description = "Only take jobs of this site (default: every site)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Jobs run at once.", DefaultValueFactory = _ => 10 };
        var once = new Option<bool>("--once") { Description = "Stop when no job is due instead of waiting for more." };
        var metricsListen = new Option<string?>("--metrics-listen") { Description = "Serve /metrics, /healthz and /readyz at this IP address and port (e.g. 127.0.0.1:9464) while running." };
        var logFormat = EventLog.Option();
        var wiring = new ApplyWiring();
        var command = new Command("worker", "Run jobs from the job broker (installs, recycles) until stopped.") { site, concurrency, once, metricsListen, logFormat };
        wiring.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(concurrency) < 1)
            {
                throw new FleetException("--concurrency must be at least 1");
            }

            IPEndPoint? metricsEndpoint = null;
            if (parse.GetValue(metricsListen) is { } text && !IPEndPoint.TryParse(text, out metricsEndpoint))
            {
                throw new FleetException($"--metrics-listen: '{text}' is not an IP address and port, e.g. 127.0.0.1:9464");
            }

            var log = EventLog.For(parse, logFormat, host);

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
                var registry = Prometheus.Metrics.NewCustomRegistry();
                var metrics = new WorkerMetrics(registry, host.Clock);
                await using var listener = metricsEndpoint is null ? null : await MetricsListener.StartAsync(metricsEndpoint, registry, database, ct);
                var scope = parse.GetValue(site) ?? "every site";
                log.Info($"worker {name}: taking jobs of {scope} from {database.Description}", fields: new Dictionary<string, string?> { ["worker"] = name, ["site"] = parse.GetValue(site) });
                if (listener is not null)
                {
                    log.Info($"worker {name}: metrics at {listener.Address}/metrics", fields: new Dictionary<string, string?> { ["metrics"] = listener.Address + "/metrics" });
                }

                try
                {
                    var attempts = await worker.RunAsync(
                        (job, result) =>
                        {
                            metrics.Observe(job, result);
                            var outcome = WorkerMetrics.Outcome(result.Outcome);
                            var fields = new Dictionary<string, string?> { ["action"] = job.Action, ["target"] = job.Target, ["site"] = job.Site, ["outcome"] = outcome, ["error"] = result.Error };
                            var ids = new LogIds(job.ApplyId, job.Id, Machine(job));
                            var message = $"job {job.Id} {job.Action} {job.Target}: {result.Outcome.ToString().ToLowerInvariant()}";
                            if (result.Outcome is AttemptOutcome.Failed or AttemptOutcome.WillRetry)
                            {
                                log.Warn(message, ids, fields);
                            }
                            else
                            {
                                log.Info(message, ids, fields);
                            }
                        },
                        parse.GetValue(once),
                        ct);
                    log.Info($"worker {name}: ran {attempts} attempts");
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    log.Info($"worker {name}: stopped");
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }

    /// <summary>The machine a job acts on, when it acts on one (installs and recycles name it in their parameters).</summary>
    internal static string? Machine(Job job) =>
        job.Params["machine"] is JsonValue value && value.TryGetValue<string>(out var machine) ? machine : null;
}
