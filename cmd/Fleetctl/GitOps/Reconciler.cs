using System.Collections.Immutable;
using System.Text.Json;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Jobs;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.State;
using Fleetctl.Apply;
using Fleetctl.Commands;

namespace Fleetctl.GitOps;

/// <summary>What a reconcile loop reads: where the fleet is, which branch of which remote, where the report goes.</summary>
internal sealed record ReconcileOptions(string FleetDirectory, string? Ref, string Remote, string Branch, string ReportFile, JobRunnerOptions Runner);

/// <summary>
/// One reconcile pass: fetch the branch, plan its head against the live fleet, and by the fleet's
/// policy report the drift or apply it (only a safe plan, never forced, outside freeze windows,
/// leaving out pools marked <c>reconcile: report</c>). Every pass ends in a drift report.
/// </summary>
internal sealed class Reconciler(CliHost host, ReconcileOptions options, WebhookNotifier notifier)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<DriftReport> PassAsync(CancellationToken cancellationToken)
    {
        var (report, webhook) = await RunPassAsync(cancellationToken);
        await WriteReportAsync(report, cancellationToken);
        if (report.Notable && webhook is not null)
        {
            if (await notifier.NotifyAsync(webhook, report, cancellationToken) is { } failure)
            {
                await host.Err.WriteLineAsync($"warning: {failure}; the drift report is in {options.ReportFile}");
            }
        }

        return report;
    }

    private async Task<(DriftReport Report, Uri? Webhook)> RunPassAsync(CancellationToken cancellationToken)
    {
        var at = host.Clock.GetUtcNow();
        var fleet = "(unknown)";
        var mode = ReconcileMode.Report;
        string? commit = null;
        Uri? webhook = null;
        try
        {
            var reference = options.Ref ?? FetchBranch();
            using var opened = FleetSourceHandle.Open(options.FleetDirectory, reference);
            commit = opened.PlanSource.Commit;
            var desired = host.Runtime.Loader.LoadOrThrow(opened.Source);
            (fleet, mode) = (desired.Fleet.Name, desired.Fleet.Reconcile.Mode);
            webhook = desired.Fleet.Reconcile.Webhook is { } url ? new Uri(url) : null;

            var inventory = Fleet.State.InventoryLocation.Resolve(desired.Fleet.Inventory, host.GetEnvironment);
            await using var database = await StateDatabase.OpenAsync(inventory, options.FleetDirectory, host.Clock, cancellationToken);
            var providers = FleetProviders.Create(database, desired, opened.Source, options.FleetDirectory, host);

            // Forced, so the whole drift is seen; the limits it had to force make it unsafe to apply.
            var plan = await providers.PlanAsync(desired, opened.PlanSource, new PlanOptions(PlanSelection.All, Force: true), cancellationToken);
            var items = await ExplainAsync(desired, plan, database, cancellationToken);
            (DriftReport, Uri?) Report(ReconcileStatus status, string? reason, Plan changes, string? error = null) =>
                (new DriftReport(fleet, at, commit, mode, status, items, Counts(changes), reason, error), webhook);

            if (!plan.HasChanges)
            {
                return Report(ReconcileStatus.InSync, null, plan);
            }

            if (HoldBack(desired, plan, at) is { } reason)
            {
                return Report(ReconcileStatus.Drift, reason, plan);
            }

            var reportOnly = desired.Pools.Where(p => p.Reconcile == ReconcileMode.Report).Select(p => p.Name).ToImmutableArray();
            var applied = await ApplyAsync(desired, database, providers, opened.PlanSource, reportOnly, cancellationToken);
            var remaining = await providers.PlanAsync(desired, opened.PlanSource, new PlanOptions(PlanSelection.All, Force: true), cancellationToken);
            if (applied != ExitCodes.Success)
            {
                return Report(ReconcileStatus.Failed, "the apply did not complete", remaining, "one or more changes failed; see fleetctl jobs list and fleetctl history");
            }

            return remaining.HasChanges
                ? Report(ReconcileStatus.Drift, $"pools marked 'reconcile: report' were left as they are: {string.Join(", ", reportOnly)}", remaining)
                : Report(ReconcileStatus.Repaired, null, plan);
        }
        catch (FleetException e)
        {
            return (new DriftReport(fleet, at, commit, mode, ReconcileStatus.Failed, [], ImmutableSortedDictionary<string, int>.Empty, null, e.Message), webhook);
        }
    }

    private string FetchBranch()
    {
        GitHistory.Fetch(options.FleetDirectory, options.Remote, options.Branch);
        return $"refs/remotes/{options.Remote}/{options.Branch}";
    }

    /// <summary>Why drift found in apply mode is only reported: report mode, a freeze window, or a plan over the safety limits.</summary>
    private static string? HoldBack(DesiredState desired, Plan plan, DateTimeOffset now)
    {
        var policy = desired.Fleet.Reconcile;
        if (policy.Mode != ReconcileMode.Apply)
        {
            return "reconcile mode is report (set reconcile.mode: apply in fleet.yaml to repair drift automatically)";
        }

        foreach (var freeze in policy.Freeze)
        {
            if (freeze.Window?.FrozenUntil(now) is { } until)
            {
                return $"in a freeze window ('{freeze.Schedule}' for {freeze.Duration}) until {until:yyyy-MM-dd HH:mm}Z";
            }
        }

        var forced = plan.Limits.Where(l => l.StartsWith("forced: ", StringComparison.Ordinal)).Select(l => l["forced: ".Length..]).ToList();
        return forced.Count > 0
            ? $"the plan exceeds the safety limits ({string.Join("; ", forced)}); reconcile never forces: review and apply it with --force"
            : null;
    }

    private async Task<int> ApplyAsync(DesiredState desired, StateDatabase database, FleetProviders providers, PlanSource source, ImmutableArray<string> reportOnly, CancellationToken cancellationToken)
    {
        var (services, settings) = ApplyWiring.Compose(desired, database, providers, host, options.Runner, source.Commit, TimeSpan.Zero, parallelism: 10, JobDispatchMode.InProcess);
        var progress = new ProgressPrinter(host.Out, json: false, color: false);
        var workflow = new ApplyWorkflow(desired, database, providers, services, host, progress, planRenderer: null);
        var selection = new PlanSelection([], [], reportOnly);
        var request = new ApplyRequest(null, new PlanOptions(selection), null, AutoApprove: true, settings, source, options.FleetDirectory);
        return await workflow.RunAsync(request, cancellationToken);
    }

    /// <summary>
    /// Why each address drifted: what changed in git since the last applied commit, and what the
    /// plan's reasons say of the rest (a broken machine, a changed image, a zone edited by hand).
    /// </summary>
    private async Task<ImmutableArray<DriftItem>> ExplainAsync(DesiredState desired, Plan plan, StateDatabase database, CancellationToken cancellationToken)
    {
        var items = new List<DriftItem>();
        var explained = new HashSet<string>(StringComparer.Ordinal);
        if (await database.Ledger.GetLastCommitAsync(cancellationToken) is { Commit: { } last } && last != plan.Source.Commit)
        {
            try
            {
                using var previous = GitCommitSource.Open(options.FleetDirectory, last);
                foreach (var change in DesiredStateDiff.Compare(host.Runtime.Loader.LoadOrThrow(previous), desired))
                {
                    explained.Add(change.Address);
                    items.AddRange(DesiredStateDiff.Describe(change).Select(line => new DriftItem(change.Address, "changed_in_git", line)));
                }
            }
            catch (FleetException)
            {
                // The last applied commit is gone (history rewritten) or no longer loads: the plan still explains the drift.
            }
        }

        foreach (var group in plan.Changes.GroupBy(c => (c.Address, c.Reason)).OrderBy(g => g.Key.Address, StringComparer.Ordinal).ThenBy(g => g.Key.Reason, StringComparer.Ordinal))
        {
            var (address, reason) = group.Key;
            if (explained.Contains(address) && reason is "grow" or "shrink" or "reimage")
            {
                continue;
            }

            var cause = reason switch
            {
                "replace" => "machine_broken",
                "reimage" => "image_changed",
                "grow" or "shrink" => "size_differs",
                "drift" => "zone_edited",
                "records" => "zone_follows_inventory",
                "new zone" => "zone_missing",
                _ => reason,
            };
            var actions = string.Join(", ", group.GroupBy(c => c.Action.Name).Select(a => $"{a.Count()} {a.Key}"));
            items.Add(new DriftItem(address, cause, $"{actions} ({reason})"));
        }

        return [.. items];
    }

    private static ImmutableSortedDictionary<string, int> Counts(Plan plan) =>
        plan.Summary.Where(s => s.Value > 0).ToImmutableSortedDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

    private async Task WriteReportAsync(DriftReport report, CancellationToken cancellationToken)
    {
        var path = options.ReportFile;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(report, Json) + "\n", cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
