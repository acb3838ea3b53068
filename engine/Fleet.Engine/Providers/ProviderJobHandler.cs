using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Providers;

/// <summary>
/// The job handler of apply and of <c>fleetctl worker</c>: each job's change goes to the registered
/// provider its <c>provider</c> field names, with an <see cref="ApplyContext"/> built from the job
/// alone (so a worker that never saw the plan can run it). A failed result fails the attempt, which
/// the job runner retries unless the result is permanent; once the budget is spent the provider's
/// <see cref="IProvider.GiveUpAsync"/> may name a change to take over. A result's
/// <see cref="ChangeResult.Note"/> goes to <paramref name="notes"/>.
/// </summary>
public sealed class ProviderJobHandler(IEnumerable<IProvider> providers, TimeProvider clock, Action<string> notes) : IJobHandler
{
    private readonly ImmutableDictionary<string, IProvider> byName = providers.ToImmutableDictionary(p => p.Name, StringComparer.Ordinal);

    public async Task<string?> RunAsync(JobAttempt attempt, CancellationToken cancellationToken)
    {
        var change = attempt.Change;
        var result = await For(change).ApplyAsync(change, Context(attempt), cancellationToken);
        if (!result.Succeeded)
        {
            throw new FleetException(result.Message ?? $"change {change.Id} ({change.Address}) failed") { Permanent = result.Permanent };
        }

        if (result.Note is { } note)
        {
            notes(note);
        }

        return change.Machine;
    }

    public Task<PlannedChange?> GiveUpAsync(JobAttempt attempt, string error, CancellationToken cancellationToken) =>
        For(attempt.Change).GiveUpAsync(attempt.Change, Context(attempt), error, cancellationToken);

    private IProvider For(PlannedChange change) =>
        byName.GetValueOrDefault(change.Provider)
        ?? throw new FleetException($"change {change.Id} ({change.Address}): provider {change.Provider} cannot apply changes in this version of fleetctl") { Permanent = true };

    private ApplyContext Context(JobAttempt attempt) =>
        new(attempt.Job.Requester, attempt.Job.Commit, attempt.Job.PlanChecksum, clock)
        {
            JobId = attempt.Job.Id.ToString(CultureInfo.InvariantCulture),
            Attempt = attempt.Attempt,
        };
}
