using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleetctl.Apply;
using Fleetctl.GitOps;
using Fleetctl.Logging;
using Fleetctl.Serve.Metrics;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl reconcile [--once | --interval D | --schedule CRON] [--remote NAME] [--branch NAME]</c>:
/// fetch the branch, plan its head against the live fleet, and report or repair the drift by the
/// fleet's policy. <c>--once</c> exits 0 when the fleet matches or was repaired, 2 when drift remains,
/// 1 on error; the loop stops cleanly on SIGTERM.
/// </summary>
public static class ReconcileCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var once = new Option<bool>("--once") { Description = "One pass, then exit 0 (in sync or repaired), 2 (drift remains) or 1 (error). The default." };
        var interval = new Option<string?>("--interval") { Description = "Run a pass every D (e.g. 10m) until stopped." };
        var schedule = new Option<string?>("--schedule") { Description = "Run a pass at each match of this cron expression (UTC) until stopped." };
        var remote = new Option<string>("--remote") { Description = "The git remote to fetch.", DefaultValueFactory = _ => "origin" };
        var branch = new Option<string>("--branch") { Description = "The branch whose head is the desired state.", DefaultValueFactory = _ => "main" };
        var report = new Option<string?>("--report") { Description = "Where each pass writes its drift report (JSON). Default: .fleet/reconcile/report.json in the fleet directory." };
        var source = new SourceOption();
        var wiring = new ApplyWiring();
        var logFormat = EventLog.Option();
        var command = new Command("reconcile", "Detect drift between the fleet and its git branch, and report or repair it by the fleet's policy.")
        {
            once, interval, schedule, remote, branch, report, logFormat,
        };
        source.AddTo(command);
        wiring.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var loops = (parse.GetValue(once) ? 1 : 0) + (parse.GetValue(interval) is null ? 0 : 1) + (parse.GetValue(schedule) is null ? 0 : 1);
            if (loops > 1)
            {
                throw new FleetException("choose one of --once, --interval and --schedule");
            }

            var every = parse.GetValue(interval) is { } text ? Durations.Parse(text, "--interval") : (TimeSpan?)null;
            if (every <= TimeSpan.Zero)
            {
                throw new FleetException("--interval must be longer than zero");
            }

            var cron = parse.GetValue(schedule) is { } expression
                ? CronSchedule.TryParse(expression, out var error) ?? throw new FleetException($"--schedule: {error}")
                : null;
            var directory = global.FleetDirectory(parse, host);
            var options = new ReconcileOptions(
                directory,
                parse.GetValue(source.Ref),
                parse.GetValue(remote)!,
                parse.GetValue(branch)!,
                Path.GetFullPath(parse.GetValue(report) ?? Path.Combine(".fleet", "reconcile", "report.json"), directory),
                wiring.RunnerOptions(parse));
            using var http = new HttpClient();
            var reconciler = new Reconciler(host, options, new WebhookNotifier(http));
            var log = EventLog.For(parse, logFormat, host);
            if (every is null && cron is null)
            {
                return ExitCode(await PassAsync(reconciler, host, log, ct));
            }

            return await LoopAsync(reconciler, host, log, every, cron, ct);
        });
        return command;
    }

    private static async Task<DriftReport> PassAsync(Reconciler reconciler, CliHost host, EventLog log, CancellationToken cancellationToken)
    {
        var report = await reconciler.PassAsync(cancellationToken);
        var commit = report.Commit is { } c ? c[..12] : "-";
        var changes = report.Changes.IsEmpty ? "no changes" : string.Join(", ", report.Changes.Select(p => $"{p.Value} {p.Key}"));
        var fields = new Dictionary<string, string?> { ["fleet"] = report.Fleet, ["commit"] = report.Commit, ["status"] = DriftReportFile.StatusName(report.Status), ["changes"] = changes };
        log.Info($"reconcile {report.At:yyyy-MM-dd HH:mm:ss}Z {report.Fleet} at {commit}: {Describe(report.Status)} ({changes})", fields: fields);
        foreach (var item in report.Items)
        {
            var pool = item.Address.StartsWith("pool/", StringComparison.Ordinal) ? item.Address[5..] : null;
            log.Info($"  {item.Address}: {item.Cause}: {item.Detail}", new LogIds(Pool: pool), new Dictionary<string, string?> { ["address"] = item.Address, ["cause"] = item.Cause });
        }

        if (report.Reason is { } reason)
        {
            log.Info($"  not applied: {reason}", fields: new Dictionary<string, string?> { ["reason"] = reason });
        }

        if (report.Error is { } error)
        {
            if (log.IsJson)
            {
                log.Error(error);
            }
            else
            {
                await host.Err.WriteLineAsync($"error: {error}");
            }
        }

        return report;
    }

    private static string Describe(ReconcileStatus status) => status switch
    {
        ReconcileStatus.InSync => "in sync",
        ReconcileStatus.Repaired => "drift repaired",
        ReconcileStatus.Drift => "drift",
        _ => "failed",
    };

    private static int ExitCode(DriftReport report) => report.Status switch
    {
        ReconcileStatus.InSync or ReconcileStatus.Repaired => ExitCodes.Success,
        ReconcileStatus.Drift => ExitCodes.Changes,
        _ => ExitCodes.Error,
    };

    /// <summary>Passes until cancelled (SIGTERM, Ctrl+C); a pass under way is left resumable and the lock released.</summary>
    private static async Task<int> LoopAsync(Reconciler reconciler, CliHost host, EventLog log, TimeSpan? every, CronSchedule? cron, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await PassAsync(reconciler, host, log, cancellationToken);
                var now = host.Clock.GetUtcNow();
                var next = every is { } interval ? now + interval : cron!.Next(now) ?? throw new FleetException($"--schedule '{cron}' never matches");
                await Task.Delay(next - now, host.Clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Info("reconcile: stopped");
            return ExitCodes.Success;
        }
    }
}
