using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.State;

namespace Fleetctl.Apply;

/// <summary>
/// The composition of apply and worker: the job handler over the providers (built to apply, with the
/// power drivers of the fleet's sites), and the options both commands share (retry budget and
/// backoff, job lease).
/// </summary>
internal sealed class ApplyWiring
{
    public Option<int> MaxAttempts { get; } = new("--max-attempts")
    {
        Description = "Attempts per change before giving up (an install that fails them all marks the machine broken and installs a replacement).",
        DefaultValueFactory = _ => RetryPolicy.Default.MaxAttempts,
    };

    public Option<string> RetryDelay { get; } = new("--retry-delay")
    {
        Description = "Wait after the first failed attempt, doubled after each further one (with jitter), at most 5m. E.g. 10s, 500ms, 2m.",
        DefaultValueFactory = _ => "10s",
    };

    public Option<string> Lease { get; } = new("--lease")
    {
        Description = "How long a job stays with its worker without a heartbeat before another worker takes it over.",
        DefaultValueFactory = _ => "30s",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(MaxAttempts);
        command.Options.Add(RetryDelay);
        command.Options.Add(Lease);
    }

    public JobRunnerOptions RunnerOptions(ParseResult parse)
    {
        var attempts = parse.GetValue(MaxAttempts);
        if (attempts < 1)
        {
            throw new FleetException("--max-attempts must be at least 1");
        }

        var delay = Durations.Parse(parse.GetValue(RetryDelay)!, "--retry-delay");
        var lease = Durations.Parse(parse.GetValue(Lease)!, "--lease");
        if (lease <= TimeSpan.Zero)
        {
            throw new FleetException("--lease must be longer than zero");
        }

        var retry = new RetryPolicy(attempts, delay, TimeSpan.FromTicks(Math.Max(delay.Ticks, RetryPolicy.Default.MaxDelay.Ticks)), RetryPolicy.Default.Jitter);
        return new JobRunnerOptions(lease, retry, Random.Shared.NextDouble);
    }

    /// <summary>
    /// The services and settings of one apply, as apply and reconcile run it: at most
    /// <paramref name="parallelism"/> changes at once per site, and <paramref name="totalParallelism"/> in all when given.
    /// </summary>
    public static (ApplyServices Services, ApplySettings Settings) Compose(
        DesiredState desired, StateDatabase database, FleetProviders providers, CliHost host, JobRunnerOptions runner, string? commit, TimeSpan lockWait, int parallelism, JobDispatchMode mode,
        int? totalParallelism = null)
    {
        var services = new ApplyServices(database.ApplyLock, database.ApplyHistory, database.Jobs, Handler(desired, database, providers, host), runner, host.Clock);
        var settings = new ApplySettings(
            host.GetEnvironment("USER") ?? Environment.UserName,
            commit,
            lockWait,
            new ExecutorOptions(parallelism, totalParallelism ?? int.MaxValue),
            mode,
            TimeSpan.FromMilliseconds(mode == JobDispatchMode.InProcess ? 20 : 200));
        return (services, settings);
    }

    /// <summary>
    /// The handler of every job: the engine's router over the providers, built to apply. Notes of
    /// a change (a zone pushed that differs from the plan) go to stderr.
    /// </summary>
    public static IJobHandler Handler(DesiredState desired, StateDatabase database, FleetProviders providers, CliHost host)
    {
        var gate = new Lock();
        return new ProviderJobHandler(providers.ForApply().All, host.Clock, note =>
        {
            lock (gate)
            {
                host.Err.WriteLine($"note: {note}");
            }
        });
    }

    /// <summary>
    /// Reserves the machines a plan works on, in the state database, before its first job is enqueued:
    /// a replacement claimed by this apply or by any <c>fleetctl worker</c> never takes one of them.
    /// </summary>
    public static Task ReserveForPlanAsync(StateDatabase database, string applyId, Plan plan, CancellationToken cancellationToken) =>
        database.Reservations.ReserveAsync(applyId, plan.Changes.Where(c => c.Machine is not null).Select(c => c.Machine!), cancellationToken);
}
