using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;

namespace Fleet.Engine.Tests.Planning;

/// <summary>
/// A provider whose plan is given by the test: the smallest implementation of the contract, used to
/// test what the planner does across providers (ordering, ids, safety, guards).
/// </summary>
internal sealed class ScriptedProvider(string name, Func<ProviderPlanRequest, ProviderPlan> plan, params string[] backends) : IProvider
{
    public string Name { get; } = name;

    public ProviderCapabilities Capabilities { get; init; } = new([.. backends], TestActions.All);

    public ImmutableArray<Diagnostic> Validate(DesiredState desired) => [];

    public int Reads { get; private set; }

    public async Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Reads++;
        return new Snapshot(Name);
    }

    public ProviderPlan Plan(ProviderPlanRequest request) => plan(request);

    public ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual) =>
        [.. guards.Where(g => g.Value == "stale").Select(g => $"{Name} {g.Key} is stale")];

    public Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken) =>
        Task.FromResult(ChangeResult.Applied());

    public static PlannedChange Change(string provider, string address, ChangeAction action, string? site = null, string? machine = null) => new()
    {
        Id = string.Empty,
        Address = address,
        Provider = provider,
        Action = action,
        Reason = "test",
        Site = site,
        Machine = machine,
    };

    public sealed record Snapshot(string Owner) : ProviderSnapshot;
}
