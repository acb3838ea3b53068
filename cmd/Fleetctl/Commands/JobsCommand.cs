using System.CommandLine;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;
using Fleetctl.Apply;

namespace Fleetctl.Commands;

/// <summary><c>fleetctl jobs list|show|retry</c>: the job broker's jobs.</summary>
public static class JobsCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var command = new Command("jobs", "Jobs of the job broker: list, show, retry.");
        command.Subcommands.Add(CreateList(global, host));
        command.Subcommands.Add(CreateShow(global, host));
        command.Subcommands.Add(CreateRetry(global, host));
        return command;
    }

    private static Command CreateList(GlobalOptions global, CliHost host)
    {
        var status = new Option<string?>("--status") { Description = "Only jobs in this status: queued, running, finished or failed." };
        var site = new Option<string?>("--site") { Description = "Only jobs of this site." };
        var apply = new Option<string?>("--apply") { Description = "Only jobs of this apply (see fleetctl history)." };
        var limit = new Option<int>("--limit") { Description = "At most this many jobs, newest first.", DefaultValueFactory = _ => 100 };
        var format = InventoryCommand.FormatOption("table", "table", "json");
        var command = new Command("list", "List jobs, newest first.") { status, site, apply, limit, format };
        command.SetAction(async (parse, ct) =>
        {
            JobStatus? wanted = null;
            if (parse.GetValue(status) is { } text)
            {
                wanted = JobStatuses.TryParse(text, out var parsed)
                    ? parsed
                    : throw new FleetException($"--status: unknown status '{text}'; expected {JobStatuses.Spellings}");
            }

            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var jobs = await database.Jobs.ListAsync(new JobQuery(wanted, parse.GetValue(apply), parse.GetValue(site), Math.Max(1, parse.GetValue(limit))), ct);
                await (parse.GetValue(format) == "json" ? JobRenderer.WriteJsonAsync(host.Out, jobs) : JobRenderer.WriteTableAsync(host.Out, jobs, host.Clock.GetUtcNow()));
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command CreateShow(GlobalOptions global, CliHost host)
    {
        var id = new Argument<string>("id") { Description = "The job's id." };
        var format = InventoryCommand.FormatOption("text", "text", "json");
        var command = new Command("show", "Show one job with every field.") { id, format };
        command.SetAction(async (parse, ct) =>
        {
            var jobId = ParseId(parse.GetValue(id)!);
            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var job = await database.Jobs.GetAsync(jobId, ct) ?? throw new FleetException($"job {jobId} does not exist");
                await (parse.GetValue(format) == "json" ? JobRenderer.WriteJsonAsync(host.Out, job) : JobRenderer.WriteDetailAsync(host.Out, job, host.Clock.GetUtcNow()));
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static Command CreateRetry(GlobalOptions global, CliHost host)
    {
        var id = new Argument<string>("id") { Description = "The id of a failed job." };
        var command = new Command("retry", "Queue a failed job again with a fresh attempt budget, for a worker to take.") { id };
        command.SetAction(async (parse, ct) =>
        {
            var jobId = ParseId(parse.GetValue(id)!);
            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var job = await database.Jobs.GetAsync(jobId, ct) ?? throw new FleetException($"job {jobId} does not exist");
                if (await database.Jobs.RetryAsync(jobId, host.Clock.GetUtcNow(), ct) is null)
                {
                    throw new FleetException($"job {jobId} is {job.Status.ToWire()}; only failed jobs can be retried");
                }

                await host.Out.WriteLineAsync($"job {jobId} ({job.Action} {job.Target}) queued again; a worker (fleetctl worker) will take it");
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static long ParseId(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new FleetException($"'{text}' is not a job id (a positive number)");
}
