using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.State;
using Fleetctl.Rendering;

namespace Fleetctl.Apply;

/// <summary>What one <c>fleetctl apply</c> was asked to do.</summary>
internal sealed record ApplyRequest(
    Plan? SavedPlan,
    PlanOptions PlanOptions,
    string? ExpectedChecksum,
    bool AutoApprove,
    ApplySettings Settings,
    PlanSource Source,
    string FleetDirectory,
    bool AllowRollback = false,
    WorkerWatchOptions? WorkerWatch = null);

/// <summary>
/// The steps of an apply, in order, all under the fleet's apply lock: finish the work a killed
/// apply left half-way (so the planner sees no machine in a transitional state), plan or re-check
/// the saved plan (stale guards, checksum), ask for approval, run the changes as jobs, record the
/// pools' role, image and protection, and write the outcome to the history.
/// </summary>
internal sealed class ApplyWorkflow(
    DesiredState desired, StateDatabase database, FleetProviders providers, ApplyServices services, CliHost host, IApplyProgress progress, IPlanRenderer? planRenderer)
{
    public async Task<int> RunAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        await using var session = await ApplySession.BeginAsync(services with { Lock = new AnnouncedLockWait(services.Lock, progress.Note) }, request.Settings, cancellationToken);
        if (!session.Abandoned.IsEmpty)
        {
            progress.Note($"Abandoned {session.Abandoned.Length} unfinished jobs of earlier applies that are no longer running.");
        }

        await ResumeInterruptedWorkAsync(session, request, cancellationToken);

        var planner = new FleetPlanner(providers.All);
        var plan = request.SavedPlan is { } saved
            ? await CheckSavedPlanAsync(planner, saved, cancellationToken)
            : await providers.PlanAsync(desired, request.Source, request.PlanOptions, cancellationToken);
        CheckChecksum(plan, request.ExpectedChecksum);
        await CheckCommitOrderAsync(plan, request, cancellationToken);

        if (!plan.HasChanges)
        {
            await RecordPoolsAsync(plan, null, request.PlanOptions, cancellationToken);
            await RecordCommitAsync(plan, request, cancellationToken);
            progress.Note(PlanSummary.NoChanges);
            await session.FinishAsync(ApplyResults.Succeeded, plan.Checksum, cancellationToken);
            return ExitCodes.Success;
        }

        if (planRenderer is not null && request.SavedPlan is null)
        {
            await planRenderer.RenderAsync(plan, host.Out, cancellationToken);
        }

        if (!request.AutoApprove && request.SavedPlan is null && !await ApprovedAsync(cancellationToken))
        {
            progress.Note("Apply cancelled: nothing was changed.");
            await session.FinishAsync(ApplyResults.Declined, plan.Checksum, cancellationToken);
            return ExitCodes.Error;
        }

        await ApplyWiring.ReserveForPlanAsync(database, session.Id, plan, cancellationToken);
        if (request.Settings.Workers == JobDispatchMode.External)
        {
            // Nothing runs until a worker takes the jobs: say so before the first "started" line.
            progress.Note($"Jobs of apply {session.Id} are queued for worker processes; this apply waits for them. " +
                          $"Start one with: {WorkerCommand(request.FleetDirectory, host)}");
        }

        var report = await TrackAsync(session, plan.Changes, plan.Checksum, request, cancellationToken);
        await RecordPoolsAsync(plan, report, request.PlanOptions, cancellationToken);
        if (report.AllSucceeded)
        {
            await RecordCommitAsync(plan, request, cancellationToken);
        }

        var result = report.AllSucceeded ? ApplyResults.Succeeded : ApplyResults.Failed;
        await session.FinishAsync(result, plan.Checksum, cancellationToken);
        progress.Summary(report, result);
        return report.AllSucceeded ? ExitCodes.Success : ExitCodes.Error;
    }

    /// <summary>Installs and recycles a killed apply left in flight, finished before anything is planned.</summary>
    private async Task ResumeInterruptedWorkAsync(ApplySession session, ApplyRequest request, CancellationToken cancellationToken)
    {
        var machines = (await database.Inventory.ListMachinesAsync(new MachineFilter(State: MachineState.Installing), cancellationToken))
            .AddRange(await database.Inventory.ListMachinesAsync(new MachineFilter(State: MachineState.Recycling), cancellationToken));
        if (machines.IsEmpty)
        {
            return;
        }

        var resume = InterruptedWork.Find(machines, await session.TargetsHeldByLiveWorkersAsync(cancellationToken));
        if (resume.IsEmpty)
        {
            return;
        }

        progress.Note($"Resuming {resume.Length} changes an earlier apply left unfinished.");
        await TrackAsync(session, resume, null, request, cancellationToken);
    }

    /// <summary>
    /// Runs changes as jobs with their progress shown; with external workers, a <see cref="WorkerWatch"/>
    /// meanwhile warns when no worker takes them, or when one dies holding a job.
    /// </summary>
    private async Task<ExecutionReport> TrackAsync(
        ApplySession session, ImmutableArray<PlannedChange> changes, string? planChecksum, ApplyRequest request, CancellationToken cancellationToken)
    {
        Task<ExecutionReport> Execute() => progress.TrackAsync(changes, observer => session.ExecuteAsync(changes, planChecksum, observer, cancellationToken));
        if (request.Settings.Workers != JobDispatchMode.External || request.WorkerWatch is not { } options)
        {
            return await Execute();
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = new WorkerWatch(database.JobActivity, session.Id, host.Clock, options, site => WorkerCommand(request.FleetDirectory, host, site));
        var watching = watch.RunAsync(progress, stop.Token);
        try
        {
            return await Execute();
        }
        finally
        {
            await stop.CancelAsync();
            await watching;
        }
    }

    /// <summary>
    /// How to start a worker on this apply's jobs (of one site, or all). A worker finds the state database as apply does, from
    /// fleet.yaml, unless FLEET_INVENTORY overrides it: then it needs the same (never printed, it may hold a password).
    /// </summary>
    internal static string WorkerCommand(string fleetDirectory, CliHost host, string? site = null) =>
        $"fleetctl worker -C {fleetDirectory}" + (site is null ? string.Empty : $" --site {site}")
        + (host.GetEnvironment("FLEET_INVENTORY") is null ? string.Empty : " (with this apply's FLEET_INVENTORY)");

    /// <summary>A saved plan runs only if nothing it touches changed since it was made.</summary>
    private async Task<Plan> CheckSavedPlanAsync(FleetPlanner planner, Plan plan, CancellationToken cancellationToken)
    {
        if (plan.Fleet != desired.Fleet.Name)
        {
            throw new FleetException($"the plan is for fleet {plan.Fleet}, but this is fleet {desired.Fleet.Name}");
        }

        var stale = planner.FindStaleGuards(plan, await providers.ReadActualStateAsync(desired, cancellationToken));
        if (!stale.IsEmpty)
        {
            throw new FleetException(
                stale.Select(s => Diagnostic.Error($"the saved plan is stale: {s}"))
                    .Append(Diagnostic.Error("nothing was applied; run fleetctl plan again and review the new plan")));
        }

        return plan;
    }

    /// <summary>
    /// Under the lock, against the applied-commit ledger: a commit that does not descend from the
    /// last applied one would roll the fleet back (refused without --allow-rollback), and a fleet
    /// with gitops.requireCommit is never applied from a working tree.
    /// </summary>
    private async Task CheckCommitOrderAsync(Plan plan, ApplyRequest request, CancellationToken cancellationToken)
    {
        var warning = CommitPolicy.Check(
            plan.Source,
            await database.Ledger.GetLastCommitAsync(cancellationToken),
            desired.Fleet.GitOps?.RequireCommit == true,
            request.AllowRollback,
            (commit, last) => GitHistory.Compare(request.FleetDirectory, commit, last));
        if (warning is not null)
        {
            progress.Note($"Warning: {warning}.");
        }
    }

    private Task RecordCommitAsync(Plan plan, ApplyRequest request, CancellationToken cancellationToken) =>
        database.Ledger.RecordAsync(
            new AppliedCommit(plan.Source.Commit, plan.Source.Ref, plan.Checksum, request.Settings.Requester, host.Clock.GetUtcNow()),
            cancellationToken);

    private static void CheckChecksum(Plan plan, string? expected)
    {
        if (expected is null)
        {
            return;
        }

        var wanted = expected.StartsWith("sha256:", StringComparison.Ordinal) ? expected : "sha256:" + expected;
        if (!string.Equals(wanted, plan.Checksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new FleetException($"the plan's checksum is {plan.Checksum}, not {wanted} as --checksum requires; nothing was applied");
        }
    }

    private async Task<bool> ApprovedAsync(CancellationToken cancellationToken)
    {
        await host.Out.WriteAsync("Apply these changes? [y/N] ");
        await host.Out.FlushAsync(cancellationToken);
        var answer = (await host.In.ReadLineAsync(cancellationToken))?.Trim().ToLowerInvariant();
        return answer is "y" or "yes";
    }

    /// <summary>
    /// Remembers each planned pool's backend, role, image and protection once its changes succeeded,
    /// so that protection survives the removal of the pool's YAML. Unchanged records are not rewritten
    /// (their version is what saved plans guard).
    /// </summary>
    private async Task RecordPoolsAsync(Plan plan, ExecutionReport? report, PlanOptions options, CancellationToken cancellationToken)
    {
        var failed = report is null
            ? ImmutableHashSet<string>.Empty
            : [.. plan.Changes.Where(c => report[c.Id].Status != OutcomeStatus.Succeeded).Select(c => c.Address)];
        foreach (var pool in desired.Pools)
        {
            if (!options.Selection.Includes(pool.Name, pool.Site) || failed.Contains(ResourceAddress.Pool(pool.Name).ToString()))
            {
                continue;
            }

            var update = new PoolUpdate(pool.Name, pool.Backend, pool.Role, desired.FindRole(pool.Role)?.Image, pool.Protect);
            var record = await database.Inventory.GetPoolAsync(pool.Name, cancellationToken);
            if (record is null || record.Backend != update.Backend || record.Role != update.Role || record.Image != update.Image || record.Protected != update.Protected)
            {
                await database.Inventory.UpsertPoolAsync(update, cancellationToken);
            }
        }
    }
}
