using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Execution;

/// <summary>
/// The dependency graph of a plan's changes: who waits for whom. Built once and checked, so that a
/// hand-edited plan with a duplicate id, a dangling dependency or a cycle is refused before anything runs.
/// </summary>
public sealed class ChangeGraph
{
    private ChangeGraph(ImmutableArray<PlannedChange> changes, ImmutableDictionary<string, ImmutableArray<string>> dependents)
    {
        Changes = changes;
        Dependents = dependents;
    }

    /// <summary>The changes in plan order.</summary>
    public ImmutableArray<PlannedChange> Changes { get; }

    /// <summary>For each change id, the ids of the changes that depend on it directly, in plan order.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> Dependents { get; }

    public static ChangeGraph Build(IEnumerable<PlannedChange> changes)
    {
        var list = changes.ToImmutableArray();
        var diagnostics = new List<Diagnostic>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in list)
        {
            if (!ids.Add(change.Id))
            {
                diagnostics.Add(Diagnostic.Error($"change {change.Id} ({change.Address}) appears more than once in the plan"));
            }
        }

        if (diagnostics.Count > 0)
        {
            throw new FleetException(diagnostics);
        }

        var dependents = list.ToDictionary(c => c.Id, _ => ImmutableArray.CreateBuilder<string>(), StringComparer.Ordinal);
        foreach (var change in list)
        {
            foreach (var dependency in change.DependsOn)
            {
                if (dependents.TryGetValue(dependency, out var builder))
                {
                    builder.Add(change.Id);
                }
                else
                {
                    diagnostics.Add(Diagnostic.Error($"change {change.Id} ({change.Address}) depends on change {dependency}, which is not in the plan"));
                }
            }
        }

        if (diagnostics.Count == 0 && FindCycle(list) is { } cycle)
        {
            diagnostics.Add(Diagnostic.Error($"the plan's changes depend on each other in a cycle: {string.Join(" -> ", cycle)}"));
        }

        if (diagnostics.Count > 0)
        {
            throw new FleetException(diagnostics);
        }

        return new ChangeGraph(list, dependents.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal));
    }

    private static List<string>? FindCycle(ImmutableArray<PlannedChange> changes)
    {
        var byId = changes.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();

        List<string>? Visit(string id)
        {
            state[id] = 1;
            path.Add(id);
            foreach (var dependency in byId[id].DependsOn)
            {
                var seen = state.GetValueOrDefault(dependency);
                if (seen == 1)
                {
                    return [.. path.Skip(path.IndexOf(dependency)), dependency];
                }

                if (seen == 0 && Visit(dependency) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[id] = 2;
            return null;
        }

        foreach (var change in changes)
        {
            if (!state.ContainsKey(change.Id) && Visit(change.Id) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }
}
