using Fleet.Engine.Jobs;
using Prometheus;

namespace Fleetctl.Serve.Metrics;

/// <summary>
/// What a <c>fleetctl worker</c> process observes of the attempts it runs, exported at its
/// <c>--metrics-listen</c> address: attempts by outcome, retries, job durations by action and site
/// (from the job's first start to its end, over every attempt), and BMC errors by class.
/// </summary>
internal sealed class WorkerMetrics
{
    private readonly Counter attempts;
    private readonly Counter retries;
    private readonly Histogram duration;
    private readonly Counter bmcErrors;
    private readonly TimeProvider clock;

    public WorkerMetrics(CollectorRegistry registry, TimeProvider clock)
    {
        this.clock = clock;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        attempts = factory.CreateCounter("fleet_worker_job_attempts_total", "Job attempts this worker ran, by action, site and outcome.", "action", "site", "outcome");
        retries = factory.CreateCounter("fleet_worker_job_retries_total", "Failed attempts this worker queued again for a retry, by action and site.", "action", "site");
        duration = factory.CreateHistogram("fleet_job_duration_seconds", "Duration of jobs that ended on this worker (finished, failed or replaced), from first start to end, by action and site.",
            ["action", "site"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 16) });
        bmcErrors = factory.CreateCounter("fleet_bmc_errors_total", "Failed attempts whose error came from a BMC, by site and class (BmcErrorClass).", "site", "class");
    }

    /// <summary>Records one attempt as the worker reports it.</summary>
    public void Observe(Job job, AttemptResult result)
    {
        var site = job.Site ?? "";
        attempts.WithLabels(job.Action, site, Outcome(result.Outcome)).Inc();
        if (result.Outcome == AttemptOutcome.WillRetry)
        {
            retries.WithLabels(job.Action, site).Inc();
        }

        if (result.Outcome is AttemptOutcome.Finished or AttemptOutcome.Failed or AttemptOutcome.Replaced && job.StartedAt is { } started)
        {
            duration.WithLabels(job.Action, site).Observe(Math.Max(0, (clock.GetUtcNow() - started).TotalSeconds));
        }

        if (result.Error is { } error && BmcErrorClass.Of(error) is { } kind)
        {
            bmcErrors.WithLabels(site, kind).Inc();
        }
    }

    public static string Outcome(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Finished => "finished",
        AttemptOutcome.WillRetry => "will_retry",
        AttemptOutcome.Failed => "failed",
        AttemptOutcome.Replaced => "replaced",
        _ => "lost_lease",
    };
}

/// <summary>
/// The class of a BMC error, from its message. The power drivers report BMC failures as messages that
/// name "the BMC at ADDRESS" (IPMI) or the Redfish service, without a machine-readable kind, so this
/// is as fine as the classification can be today: unreachable (no answer, timeouts, refused
/// connections), auth (refused sessions and credentials), tls (certificates), refused (an error
/// answer to a command), other. Null when the error does not come from a BMC.
/// </summary>
internal static class BmcErrorClass
{
    public static string? Of(string error)
    {
        if (!error.Contains("BMC", StringComparison.Ordinal) && !error.Contains("Redfish", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        bool Has(string word) => error.Contains(word, StringComparison.OrdinalIgnoreCase);
        return true switch
        {
            _ when Has("did not answer") || Has("no answer") || Has("timed out") || Has("unreachable") || Has("connection refused") => "unreachable",
            _ when Has("RAKP") || Has("password") || Has("credential") || Has("unauthorized") || Has("401") || Has("session") => "auth",
            _ when Has("certificate") || Has("TLS") || Has("SSL") => "tls",
            _ when Has("refused") || Has("completion code") => "refused",
            _ => "other",
        };
    }
}
