using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Jobs;
using Fleet.Engine.Planning;
using Fleetctl.Apply;
using Fleetctl.GitOps;
using Fleetctl.Rendering;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl apply [PLANFILE] [--auto-approve] [--parallelism N] [--total-parallelism N] [--checksum SHA] [--lock-timeout D]
/// [--format text|json] [--workers in-process|external] [--warn-no-worker D]</c> plus plan's selection flags: plans and asks
/// (y/N on a terminal), or applies a saved plan exactly after checking it is not stale. Exit 0 when
/// every change succeeded, 1 otherwise.
/// </summary>
public static class ApplyCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var planFile = new Argument<string?>("planfile") { Description = "A plan file from fleetctl plan --out; applied exactly, refused when stale.", Arity = ArgumentArity.ZeroOrOne };
        var autoApprove = new Option<bool>("--auto-approve") { Description = "Apply without asking (required when not on a terminal)." };
        var parallelism = new Option<int>("--parallelism") { Description = "Changes run at once per site.", DefaultValueFactory = _ => 10 };
        var totalParallelism = new Option<int?>("--total-parallelism") { Description = "Changes run at once across all sites (default: no bound but --parallelism per site)." };
        var checksum = new Option<string?>("--checksum") { Description = "Apply only if the plan's checksum is this (sha256:HEX), e.g. the one reviewed in the pull request." };
        var lockTimeout = new Option<string>("--lock-timeout") { Description = "Wait this long for another apply to finish (e.g. 5m); default: fail at once naming it.", DefaultValueFactory = _ => "0s" };
        var format = InventoryCommand.FormatOption("text", "text", "json");
        var workersOption = new Option<string>("--workers")
        {
            Description = "Who runs the jobs: this process (in-process), or fleetctl worker processes (external: apply enqueues and waits).",
            DefaultValueFactory = _ => "in-process",
        };
        workersOption.AcceptOnlyFromAmong("in-process", "external");
        var warnNoWorker = new Option<string>("--warn-no-worker")
        {
            Description = "With --workers external: warn when jobs are queued and no worker has taken one for this long, again at growing intervals (0: never).",
            DefaultValueFactory = _ => "30s",
        };
        var allowRollback = new Option<bool>("--allow-rollback") { Description = "Apply a commit that does not descend from the last applied one (a deliberate roll-back)." };
        var source = new SourceOption();
        var flags = new PlanFlags();
        var wiring = new ApplyWiring();
        var command = new Command("apply", "Apply the changes that bring the fleet to its desired state.")
        {
            planFile, autoApprove, parallelism, totalParallelism, checksum, lockTimeout, format, workersOption, warnNoWorker, allowRollback,
        };
        flags.AddTo(command);
        source.AddTo(command);
        wiring.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(planFile);
            var approve = parse.GetValue(autoApprove);
            if (path is null && !approve && !host.IsTerminal)
            {
                throw new FleetException("fleetctl apply is not running on a terminal, so it cannot ask for approval: pass --auto-approve, or apply a reviewed plan file");
            }

            if (path is null && !approve && parse.GetValue(format) == "json")
            {
                // stdout is NDJSON only, so there is no plan on screen to approve (as Terraform's apply -json).
                throw new FleetException("apply --format json does not show the plan for approval: pass --auto-approve, or apply a reviewed plan file");
            }

            if (parse.GetValue(parallelism) < 1)
            {
                throw new FleetException("--parallelism must be at least 1");
            }

            if (parse.GetValue(totalParallelism) < 1)
            {
                throw new FleetException("--total-parallelism must be at least 1");
            }

            var wait = Durations.Parse(parse.GetValue(lockTimeout)!, "--lock-timeout");
            var watch = WorkerWatchOptions.For(Durations.Parse(parse.GetValue(warnNoWorker)!, "--warn-no-worker"));
            var runner = wiring.RunnerOptions(parse);
            var saved = path is null ? null : await PlanFile.ReadAsync(Path.GetFullPath(path, host.CurrentDirectory), path, host.Runtime.Catalog.Actions, ct);

            var directory = global.FleetDirectory(parse, host);
            if (saved is not null && parse.GetValue(source.Ref) is not null)
            {
                throw new FleetException("--ref cannot be used with a plan file: the plan file names the commit it was planned from");
            }

            // A saved plan is checked and recorded against the desired state it was planned from.
            using var opened = saved?.Source.Commit is { } planned ? FleetSourceHandle.Open(directory, planned) : source.Open(parse, directory);
            var (desired, database) = await InventoryCommand.OpenAsync(global, parse, host, opened.Source, ct);
            await using (database)
            {
                var options = flags.Bind(parse, desired);
                var json = parse.GetValue(format) == "json";
                var color = host.UseColor(parse.GetValue(global.NoColor));
                var mode = parse.GetValue(workersOption) == "external" ? JobDispatchMode.External : JobDispatchMode.InProcess;
                var (progress, jobHost) = Progress(host, json, color, mode);
                var providers = FleetProviders.Create(database, desired, opened.Source, directory, host);
                var (services, settings) = ApplyWiring.Compose(desired, database, providers, jobHost, runner, opened.PlanSource.Commit, wait, parse.GetValue(parallelism), mode, parse.GetValue(totalParallelism));
                var renderer = json ? null : PlanRenderers.For(PlanFormat.Text, host.Runtime.Catalog.Actions, color);
                var workflow = new ApplyWorkflow(desired, database, providers, services, host, progress, renderer);
                var request = new ApplyRequest(saved, options, parse.GetValue(checksum), approve, settings, opened.PlanSource, directory, parse.GetValue(allowRollback), watch);
                return await workflow.RunAsync(request, ct);
            }
        });
        return command;
    }

    /// <summary>
    /// A live display on a terminal that can draw one, with the jobs' notes to stderr held until it
    /// ends (the host the jobs get); plain lines otherwise (pipes, CI logs); NDJSON with --format json.
    /// </summary>
    private static (IApplyProgress Progress, CliHost JobHost) Progress(CliHost host, bool json, bool color, JobDispatchMode mode)
    {
        var lines = new ProgressPrinter(host.Out, json, color);
        if (json || !host.CanDrawLive)
        {
            return (lines, host);
        }

        var errors = new HeldWriter(host.Err);
        return (new LiveProgress(LiveProgress.ConsoleFor(host.Out, color), host.Clock, lines, errors, mode == JobDispatchMode.External), host with { Err = errors });
    }
}
