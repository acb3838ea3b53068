using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Providers;

/// <summary>
/// Everything a provider's pure plan function sees. <see cref="PriorChanges"/> are the changes of
/// the providers planned before this one (registration order), so a provider can plan on top of
/// them (DNS publishes the hostnames the machine installs will allocate); <see cref="Actions"/> says
/// what kind of change each of them is.
/// </summary>
public sealed record ProviderPlanRequest(
    DesiredState Desired,
    ProviderSnapshot Actual,
    PlanOptions Options,
    ImmutableArray<PlannedChange> PriorChanges,
    ActionCatalog Actions)
{
    /// <summary>
    /// Every machine as the providers planned before this one leave it (<see cref="ProviderPlan.Machines"/>
    /// of each, in registration order): what a consumer of machines plans from, whatever makes them.
    /// </summary>
    public ImmutableArray<ProjectedMachine> Machines { get; init; } = [];
}

/// <summary>
/// What a provider's plan function returns.
/// <list type="bullet">
/// <item><see cref="Changes"/>: in the provider's deterministic order; ids and <c>dependsOn</c> are assigned by the planner.</item>
/// <item><see cref="Guards"/>: versions of what the changes touch (<c>machine/C0MPUT3</c> → <c>"7"</c>), re-checked before apply; the planner sorts them.</item>
/// <item><see cref="Disruptions"/>: per resource, how much in-service capacity the plan takes away, for the safety policy.</item>
/// <item><see cref="Unsafe"/>: provider-specific limits exceeded (a zone push deleting 40% of its records); need <c>--force</c>.</item>
/// <item><see cref="Limits"/>: limits the plan respected by doing less (reimage batches, prunes skipped without <c>--allow-destroy</c>).</item>
/// <item><see cref="Errors"/>: problems that stop the plan, all of them (capacity shortfalls, protected pools).</item>
/// </list>
/// </summary>
public sealed record ProviderPlan(
    ImmutableArray<ProposedChange> Changes,
    IReadOnlyDictionary<string, string> Guards,
    ImmutableArray<Disruption> Disruptions,
    ImmutableArray<string> Unsafe,
    ImmutableArray<string> Limits,
    ImmutableArray<Diagnostic> Errors)
{
    public static ProviderPlan Empty { get; } = new([], ImmutableDictionary<string, string>.Empty, [], [], [], []);

    /// <summary>
    /// Every machine this provider makes, as it will be after <see cref="Changes"/> (null: it makes
    /// none). Later providers see them in <see cref="ProviderPlanRequest.Machines"/>.
    /// </summary>
    public ImmutableArray<ProjectedMachine>? Machines { get; init; }
}

/// <summary>
/// One change as a provider proposes it: the change (its <c>Id</c> is a placeholder the planner
/// replaces; <c>DependsOn</c> is ignored) and the changes it must wait for, by description.
/// </summary>
public sealed record ProposedChange(PlannedChange Change, ImmutableArray<ChangeSelector> DependsOn)
{
    public static ProposedChange Of(PlannedChange change) => new(change, []);
}

/// <summary>
/// Describes changes another change depends on: every change matching all the given fields.
/// A zone push of lon.acme.net depends on the machine changes of site lon (<c>Site: "lon"</c>).
/// </summary>
public sealed record ChangeSelector(
    string? Provider = null,
    string? Address = null,
    ChangeAction? Action = null,
    string? Site = null,
    string? Machine = null)
{
    /// <summary>
    /// Only changes whose action changes machines (<see cref="ActionDescriptor.ChangesMachines"/>), of
    /// whichever provider: what a consumer of machines waits for.
    /// </summary>
    public bool ChangesMachines { get; init; }

    /// <param name="changesMachines">Whether <paramref name="change"/>'s action is declared to change machines.</param>
    public bool Matches(PlannedChange change, bool changesMachines = false) =>
        (Provider is null || Provider == change.Provider)
        && (Address is null || Address == change.Address)
        && (Action is null || Action == change.Action)
        && (Site is null || Site == change.Site)
        && (Machine is null || Machine == change.Machine)
        && (!ChangesMachines || changesMachines);
}

/// <summary>
/// In-service capacity a plan takes away from one resource: <paramref name="Count"/> of its
/// <paramref name="Current"/> units, described by <paramref name="What"/> ("machines recycled or reimaged").
/// </summary>
public sealed record Disruption(string Address, int Current, int Count, string What);
