using System.CommandLine;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Providers.Dns;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Providers.Physical.Power;
using Fleet.State;

namespace Fleetctl.Apply;

/// <summary>
/// The composition of apply and worker: the job handler over the providers, the power drivers of
/// the fleet's sites, and the options both commands share (retry budget and backoff, job lease).
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

    /// <summary>The services and settings of one apply, as apply and reconcile run it.</summary>
    public static (ApplyServices Services, ApplySettings Settings) Compose(
        DesiredState desired, StateDatabase database, FleetProviders providers, CliHost host, JobRunnerOptions runner, string? commit, TimeSpan lockWait, int parallelism, JobDispatchMode mode)
    {
        var services = new ApplyServices(database.ApplyLock, database.ApplyHistory, database.Jobs, Handler(desired, database, providers, host), runner, host.Clock);
        var settings = new ApplySettings(
            host.GetEnvironment("USER") ?? Environment.UserName,
            commit,
            lockWait,
            ExecutorOptions.WithParallelism(parallelism),
            mode,
            TimeSpan.FromMilliseconds(mode == JobDispatchMode.InProcess ? 20 : 200));
        return (services, settings);
    }

    /// <summary>The handler of every job: physical installs and recycles through the machine lifecycle.</summary>
    public static IJobHandler Handler(DesiredState desired, StateDatabase database, FleetProviders providers, CliHost host)
    {
        var seed = host.GetEnvironment("FLEET_SIMULATED_SEED") is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var power = PowerDrivers.FromFleet(desired.Fleet, host.Clock, seed);
        var simulated = desired.Fleet.Sites.Where(s => s.Power.Driver == PowerSpec.Simulated).ToList();
        var options = simulated.Count == desired.Fleet.Sites.Length && simulated.Count > 0
            ? LifecycleOptions.ForSimulated(
                TimeSpan.FromSeconds(simulated.Max(s => s.Power.InstallSeconds ?? SimulatedSiteOptions.Default.InstallTime.TotalSeconds)),
                TimeSpan.FromSeconds(simulated.Max(s => s.Power.RecycleSeconds ?? SimulatedSiteOptions.Default.RecycleTime.TotalSeconds)))
            : LifecycleOptions.Default;
        return new ProviderJobHandler(new MachineLifecycle(database.Inventory, power, options, host.Clock), providers.Dns is { } dns ? new ZoneJobHandler(dns, host.Clock, host.Err) : null);
    }

    /// <summary>Tells the handler which machines a plan installs, so that replacements are never taken from them.</summary>
    public static void ReserveForPlan(IJobHandler handler, Plan plan)
    {
        if (handler is ProviderJobHandler providers)
        {
            providers.Physical.Reservations.Reserve(plan.Changes.Where(c => c.Action == ChangeAction.Install && c.Machine is not null).Select(c => c.Machine!));
        }
    }

    /// <summary>Routes each job to the provider that owns its change.</summary>
    private sealed class ProviderJobHandler(MachineLifecycle physical, ZoneJobHandler? zones) : IJobHandler
    {
        public MachineLifecycle Physical => physical;

        public Task<string?> RunAsync(JobAttempt attempt, CancellationToken cancellationToken) =>
            For(attempt.Change).RunAsync(attempt, cancellationToken);

        public Task<PlannedChange?> GiveUpAsync(JobAttempt attempt, string error, CancellationToken cancellationToken) =>
            For(attempt.Change).GiveUpAsync(attempt, error, cancellationToken);

        private IJobHandler For(PlannedChange change) => (change.Provider, zones) switch
        {
            ("physical", _) => physical,
            ("dns", { } handler) => handler,
            _ => throw new FleetException($"change {change.Id} ({change.Address}): provider {change.Provider} cannot apply changes in this version of fleetctl"),
        };
    }

    /// <summary>
    /// Zone changes as jobs: each attempt renders the zone from the inventory as it is then (after the
    /// installs it depends on) and pushes it; a failed push is retried, and giving up replaces nothing.
    /// When what was pushed differs from what the plan showed, a note on <paramref name="notes"/> says so.
    /// </summary>
    private sealed class ZoneJobHandler(DnsProvider dns, TimeProvider clock, TextWriter notes) : IJobHandler
    {
        public async Task<string?> RunAsync(JobAttempt attempt, CancellationToken cancellationToken)
        {
            var result = await dns.PushZoneAsync(attempt.Change, clock, cancellationToken);
            if (!result.Succeeded)
            {
                throw new FleetException(result.Message ?? $"zone change {attempt.Change.Id} failed");
            }

            if (result.Details?["differsFromPlan"]?.GetValue<bool>() == true)
            {
                await notes.WriteLineAsync($"note: {result.Message}");
            }

            return null;
        }

        public Task<PlannedChange?> GiveUpAsync(JobAttempt attempt, string error, CancellationToken cancellationToken) =>
            Task.FromResult<PlannedChange?>(null);
    }
}
