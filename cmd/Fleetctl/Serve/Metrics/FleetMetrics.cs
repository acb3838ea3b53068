using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.State;
using Fleetctl.Overview;
using Prometheus;

namespace Fleetctl.Serve.Metrics;

/// <summary>
/// What <c>fleetctl serve</c> exports at <c>/metrics</c>: the fleet as the state database records it,
/// read when Prometheus scrapes (grouped counts, one query each), so every serve process of a fleet
/// exports the same numbers and none has to be the one that saw an event. Applies run in short-lived
/// CLI processes, so their durations and outcomes are taken from the apply history: each apply that
/// ended since the last scrape is observed once. The registry is this object's own, not the
/// library's static default.
/// </summary>
internal sealed class FleetMetrics
{
    /// <summary>Applies read from the history per scrape; more ending between two scrapes are counted on the next ones.</summary>
    private const int AppliesPerScrape = 200;

    private readonly DesiredState desired;
    private readonly StateDatabase database;
    private readonly DriftReportFile drift;
    private readonly Gauge machines;
    private readonly Gauge poolDesired;
    private readonly Gauge poolActual;
    private readonly Gauge jobs;
    private readonly Gauge jobAttempts;
    private readonly Histogram applyDuration;
    private readonly Counter applies;
    private readonly Gauge lastApplyEnd;
    private readonly Gauge driftItems;
    private readonly Gauge reconcileStatus;
    private readonly Gauge reconcileAt;
    private readonly SemaphoreSlim scrape = new(1, 1);
    private DateTimeOffset appliesSeenUntil = DateTimeOffset.MinValue;
    private readonly HashSet<string> appliesSeenAtWatermark = new(StringComparer.Ordinal);

    public FleetMetrics(DesiredState desired, StateDatabase database, DriftReportFile drift, CollectorRegistry registry)
    {
        this.desired = desired;
        this.database = database;
        this.drift = drift;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        machines = factory.CreateGauge("fleet_machines", "Machines in the inventory by site, state, pool, hardware type and role.", "site", "state", "pool", "hardware", "role");
        poolDesired = factory.CreateGauge("fleet_pool_desired_size", "A pool's size as its YAML declares it.", "pool", "backend", "site", "role");
        poolActual = factory.CreateGauge("fleet_pool_machines", "A physical pool's machines in the inventory by state.", "pool", "state");
        jobs = factory.CreateGauge("fleet_jobs", "Jobs in the job broker by action, site and status.", "action", "site", "status");
        jobAttempts = factory.CreateGauge("fleet_job_attempts", "Attempts the job broker's jobs took in all, by action, site and status (retries are attempts beyond the first).", "action", "site", "status");
        applyDuration = factory.CreateHistogram("fleet_apply_duration_seconds", "Duration of applies that ended, from the apply history, by result.", ["result"],
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 14) });
        applies = factory.CreateCounter("fleet_applies_total", "Applies that ended, from the apply history, by result.", "result");
        lastApplyEnd = factory.CreateGauge("fleet_apply_last_end_timestamp_seconds", "When the last apply ended (Unix time), by result.", "result");
        driftItems = factory.CreateGauge("fleet_reconcile_drift_items", "Drift the last reconcile pass found, per pool or zone address.", "address");
        reconcileStatus = factory.CreateGauge("fleet_reconcile_status", "1 for the status of the last reconcile pass (in_sync, repaired, drift, failed).", "status");
        reconcileAt = factory.CreateGauge("fleet_reconcile_last_timestamp_seconds", "When the last reconcile pass ran (Unix time).");
        registry.AddBeforeCollectCallback(RefreshAsync);
    }

    /// <summary>Reads the database and sets every gauge; labels that no longer occur are removed, so a pool that is gone disappears.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await scrape.WaitAsync(cancellationToken);
        try
        {
            var overview = await FleetOverview.ReadAsync(desired, database, cancellationToken);
            Replace(machines, overview.Machines.Select(m => (Labels(m.Site, m.State.ToWire(), m.Pool ?? "", m.HardwareType, m.Role ?? ""), (double)m.Count)));
            Replace(poolDesired, overview.Pools.Select(p => (Labels(p.Name, p.Backend, p.Site ?? "", p.Role), (double)p.Desired)));
            Replace(poolActual, overview.Pools.Where(p => p.Counted).SelectMany(p => new[]
            {
                (Labels(p.Name, "in_use"), (double)p.InUse),
                (Labels(p.Name, "installing"), (double)p.Installing),
                (Labels(p.Name, "recycling"), (double)p.Recycling),
                (Labels(p.Name, "broken"), (double)p.Broken),
            }));
            Replace(jobs, overview.JobCounts.Select(j => (Labels(j.Action, j.Site ?? "", j.Status.ToWire()), (double)j.Count)));
            Replace(jobAttempts, overview.JobCounts.Select(j => (Labels(j.Action, j.Site ?? "", j.Status.ToWire()), (double)j.Attempts)));
            ObserveApplies(await database.ApplyHistory.ListAsync(AppliesPerScrape, cancellationToken));
            ExportDrift(await drift.ReadAsync(cancellationToken));
        }
        finally
        {
            scrape.Release();
        }
    }

    /// <summary>Observes every apply that ended after the ones already observed (ended at the watermark: by id, once).</summary>
    private void ObserveApplies(IReadOnlyList<ApplyRecord> history)
    {
        var ended = history.Where(a => a.EndedAt is { } end && end >= appliesSeenUntil && !(end == appliesSeenUntil && appliesSeenAtWatermark.Contains(a.Id)))
            .OrderBy(a => a.EndedAt);
        foreach (var apply in ended)
        {
            var end = apply.EndedAt!.Value;
            applyDuration.WithLabels(apply.Result).Observe(Math.Max(0, (end - apply.StartedAt).TotalSeconds));
            applies.WithLabels(apply.Result).Inc();
            lastApplyEnd.WithLabels(apply.Result).Set(end.ToUnixTimeMilliseconds() / 1000.0);
            if (end > appliesSeenUntil)
            {
                appliesSeenUntil = end;
                appliesSeenAtWatermark.Clear();
            }

            appliesSeenAtWatermark.Add(apply.Id);
        }
    }

    private void ExportDrift(DriftReport? report)
    {
        if (report is null)
        {
            return;
        }

        Replace(driftItems, report.Items.GroupBy(i => i.Address).Select(g => (Labels(g.Key), (double)g.Count())));
        Replace(reconcileStatus, [(Labels(DriftReportFile.StatusName(report.Status)), 1.0)]);
        reconcileAt.Set(report.At.ToUnixTimeMilliseconds() / 1000.0);
    }

    private static string[] Labels(params string[] values) => values;

    /// <summary>Sets the gauge to exactly these series: the ones given get their value, every other labelled series is removed.</summary>
    internal static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> series)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (labels, value) in series)
        {
            gauge.WithLabels(labels).Set(value);
            keep.Add(string.Join('\0', labels));
        }

        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!keep.Contains(string.Join('\0', labels)))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }
}
