using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;

namespace Fleet.Engine.Planning;

/// <summary>
/// Builds a plan across providers: validates that every part of the desired state has a provider
/// that serves it, reads every provider's actual state in parallel, runs their pure plan functions,
/// applies the safety policy, orders the changes by their dependencies, numbers them, and seals the
/// plan with its guards and checksum. Everything after reading is pure: the same desired state,
/// snapshots and options give a byte-identical plan file.
/// </summary>
public sealed class FleetPlanner
{
    public FleetPlanner(IEnumerable<IProvider> providers)
    {
        Providers = [.. providers];
        var duplicate = Providers.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two providers are named '{duplicate.Key}'", nameof(providers));
        }

        Actions = ActionCatalog.Of(Providers);
    }

    /// <summary>The providers in registration order, which is also planning order (see <see cref="ProviderPlanRequest.PriorChanges"/>).</summary>
    public ImmutableArray<IProvider> Providers { get; }

    /// <summary>The actions the providers declare, which every provider's plan request carries.</summary>
    public ActionCatalog Actions { get; }

    /// <summary>Every pool whose backend no provider serves, and every provider's own objections.</summary>
    public ImmutableArray<Diagnostic> Validate(DesiredState desired)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var pool in desired.Pools)
        {
            var backend = pool.Backend;
            if (!Providers.Any(p => p.Capabilities.ServesBackend(backend)))
            {
                diagnostics.Add(Diagnostic.Error(pool.Locations.Of("backend"), $"pool {pool.Name}: no provider serves backend '{backend}' in this fleetctl"));
            }
        }

        foreach (var provider in Providers)
        {
            diagnostics.AddRange(provider.Validate(desired));
        }

        return diagnostics.ToImmutable();
    }

    /// <summary>Every provider's actual state, read concurrently, in registration order.</summary>
    public async Task<ImmutableArray<ProviderSnapshot>> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken) =>
        [.. await Task.WhenAll(Providers.Select(p => p.ReadActualStateAsync(desired, cancellationToken)))];

    /// <summary>Validates, reads the actual state and plans. Throws <see cref="FleetException"/> for every user-facing problem at once.</summary>
    public async Task<Plan> PlanAsync(DesiredState desired, PlanSource source, PlanOptions options, CancellationToken cancellationToken)
    {
        var invalid = Validate(desired);
        if (invalid.Any(d => d.IsError))
        {
            throw new FleetException(invalid);
        }

        var actual = await ReadActualStateAsync(desired, cancellationToken);
        return Plan(desired, actual, source, options);
    }

    /// <summary>
    /// The pure part: plans every provider against its snapshot (<paramref name="actual"/> is in
    /// registration order). Capacity errors and the like are thrown together; a plan over the safety
    /// limits is thrown unless <see cref="PlanOptions.Force"/>, in which case it lists them as forced.
    /// </summary>
    public Plan Plan(DesiredState desired, IReadOnlyList<ProviderSnapshot> actual, PlanSource source, PlanOptions options)
    {
        if (actual.Count != Providers.Length)
        {
            throw new ArgumentException($"expected {Providers.Length} snapshots, got {actual.Count}", nameof(actual));
        }

        var proposed = new List<ProposedChange>();
        var prior = ImmutableArray.CreateBuilder<PlannedChange>();
        var guards = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<Diagnostic>();
        var unsafeReasons = new List<string>();
        var limits = new List<string>();
        var disruptions = new List<Disruption>();
        var machines = ImmutableArray<ProjectedMachine>.Empty;

        for (var i = 0; i < Providers.Length; i++)
        {
            var provider = Providers[i];
            var result = provider.Plan(new ProviderPlanRequest(desired, actual[i], options, prior.ToImmutable(), Actions) { Machines = machines });
            if (result.Machines is { } made)
            {
                machines = [.. machines.Where(m => m.Provider != provider.Name), .. made];
            }

            foreach (var change in result.Changes)
            {
                CheckDeclared(provider, change.Change);
                proposed.Add(change);
                prior.Add(change.Change);
            }

            foreach (var (key, version) in result.Guards)
            {
                guards[GuardKey(provider.Name, key)] = version;
            }

            errors.AddRange(result.Errors);
            unsafeReasons.AddRange(result.Unsafe);
            limits.AddRange(result.Limits);
            disruptions.AddRange(result.Disruptions);
        }

        if (errors.Count > 0)
        {
            throw new FleetException(FleetLoader.Sort(errors));
        }

        unsafeReasons.AddRange(SafetyPolicy.Check(disruptions, desired.Fleet.Safety.MaxRecyclePercent));
        if (unsafeReasons.Count > 0)
        {
            if (!options.Force)
            {
                throw new FleetException(
                    [.. unsafeReasons.Select(r => Diagnostic.Error($"unsafe plan: {r}")),
                     Diagnostic.Error("the plan exceeds the safety limits above; review it and rerun with --force to accept it")]);
            }

            limits.AddRange(unsafeReasons.Select(r => $"forced: {r}"));
        }

        var plan = new Plan(Planning.Plan.CurrentFormatVersion, desired.Fleet.Name, source, Number(proposed, Actions), ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, guards), [.. limits], string.Empty);
        return PlanFile.Seal(plan);
    }

    /// <summary>
    /// The guards of <paramref name="plan"/> that no longer hold against fresh snapshots (in
    /// registration order), each as a message; empty when the plan is still current.
    /// </summary>
    public ImmutableArray<string> FindStaleGuards(Plan plan, IReadOnlyList<ProviderSnapshot> actual)
    {
        var stale = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < Providers.Length; i++)
        {
            var prefix = GuardKey(Providers[i].Name, string.Empty);
            var own = plan.Guards
                .Where(g => g.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(g => g.Key[prefix.Length..], g => g.Value, StringComparer.Ordinal);
            if (own.Count > 0)
            {
                stale.AddRange(Providers[i].FindStaleGuards(own, actual[i]));
            }
        }

        var known = Providers.Select(p => GuardKey(p.Name, string.Empty)).ToArray();
        stale.AddRange(plan.Guards.Keys
            .Where(k => !known.Any(prefix => k.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(k => $"guard {k} belongs to a provider this fleetctl does not have"));
        return stale.ToImmutable();
    }

    /// <summary>Guards are namespaced by provider in the plan file: <c>physical:machine/C0MPUT3</c>.</summary>
    private static string GuardKey(string provider, string key) => $"{provider}:{key}";

    private static void CheckDeclared(IProvider provider, PlannedChange change)
    {
        if (change.Provider != provider.Name || !provider.Capabilities.Actions.Any(a => a.Action == change.Action))
        {
            throw new InvalidOperationException(
                $"provider '{provider.Name}' proposed a {change.Action} change for provider '{change.Provider}' that its capabilities do not declare");
        }
    }

    /// <summary>
    /// Orders changes so that each comes after what it depends on, keeping the providers' order
    /// otherwise (a stable topological sort), then numbers them 1..N and resolves dependencies to ids.
    /// </summary>
    private static ImmutableArray<PlannedChange> Number(List<ProposedChange> proposed, ActionCatalog actions)
    {
        var count = proposed.Count;
        var changesMachines = proposed.Select(p => actions.TryGet(p.Change.Action, out var d) && d.ChangesMachines).ToArray();
        var dependencies = new List<int>?[count];
        var dependents = new List<int>?[count];
        var waiting = new int[count];
        for (var j = 0; j < count; j++)
        {
            var selectors = proposed[j].DependsOn;
            if (selectors.IsDefaultOrEmpty)
            {
                continue;
            }

            for (var i = 0; i < count; i++)
            {
                if (i != j && MatchesAny(selectors, proposed[i].Change, changesMachines[i]))
                {
                    (dependencies[j] ??= []).Add(i);
                    (dependents[i] ??= []).Add(j);
                }
            }

            waiting[j] = dependencies[j]?.Count ?? 0;
        }

        // Nothing depending on anything (a plan of machines only) keeps the providers' order as it is.
        var order = proposed.TrueForAll(p => p.DependsOn.IsDefaultOrEmpty)
            ? Enumerable.Range(0, count).ToList()
            : TopologicalOrder(dependents, waiting);
        var position = new int[count];
        for (var i = 0; i < count; i++)
        {
            position[order[i]] = i;
        }

        // One id string per change, shared by the change and every dependsOn naming it.
        var ids = new string[count];
        for (var p = 0; p < count; p++)
        {
            ids[p] = Id(p);
        }

        var numbered = ImmutableArray.CreateBuilder<PlannedChange>(count);
        foreach (var i in order)
        {
            numbered.Add(proposed[i].Change with
            {
                Id = ids[position[i]],
                DependsOn = dependencies[i] is { } on ? DependencyIds(on, position, ids) : [],
            });
        }

        return numbered.MoveToImmutable();
    }

    private static bool MatchesAny(ImmutableArray<ChangeSelector> selectors, PlannedChange change, bool changesMachines)
    {
        foreach (var selector in selectors)
        {
            if (selector.Matches(change, changesMachines))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The ids of the changes at <paramref name="on"/>, in plan order.</summary>
    private static ImmutableArray<string> DependencyIds(List<int> on, int[] position, string[] ids)
    {
        var positions = new int[on.Count];
        for (var k = 0; k < positions.Length; k++)
        {
            positions[k] = position[on[k]];
        }

        Array.Sort(positions);
        var result = ImmutableArray.CreateBuilder<string>(positions.Length);
        foreach (var p in positions)
        {
            result.Add(ids[p]);
        }

        return result.MoveToImmutable();
    }

    /// <summary>Kahn's algorithm, always taking the earliest ready change, so independent changes keep their order.</summary>
    private static List<int> TopologicalOrder(List<int>?[] dependents, int[] waiting)
    {
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < waiting.Length; i++)
        {
            if (waiting[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<int>(waiting.Length);
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(next);
            foreach (var dependent in dependents[next] ?? [])
            {
                if (--waiting[dependent] == 0)
                {
                    ready.Enqueue(dependent, dependent);
                }
            }
        }

        return order.Count == waiting.Length
            ? order
            : throw new InvalidOperationException("the providers' changes depend on each other in a cycle");
    }

    private static string Id(int position) => (position + 1).ToString(CultureInfo.InvariantCulture);
}
