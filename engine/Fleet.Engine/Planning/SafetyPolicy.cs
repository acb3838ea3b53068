using System.Collections.Immutable;
using Fleet.Engine.Providers;

namespace Fleet.Engine.Planning;

/// <summary>
/// The per-apply disruption limit of DESIGN.md: at most <c>safety.maxRecyclePercent</c> of a
/// pool's in-service machines recycled or reimaged per apply. Providers use
/// <see cref="Allowance"/> to size batches (reimage); the planner uses <see cref="Check"/> to find
/// plans that exceed it, which are refused unless <c>--force</c>.
/// </summary>
public static class SafetyPolicy
{
    /// <summary>
    /// How many of <paramref name="current"/> units one apply may disrupt: the percentage rounded
    /// down, but at least one (so a small pool can still roll), and none when the limit is 0%.
    /// </summary>
    public static int Allowance(int current, int maxPercent)
    {
        if (maxPercent <= 0 || current <= 0)
        {
            return 0;
        }

        return maxPercent >= 100 ? current : Math.Max(1, (int)((long)current * maxPercent / 100));
    }

    /// <summary>One reason per disruption above its allowance, in the order given.</summary>
    public static ImmutableArray<string> Check(IEnumerable<Disruption> disruptions, int maxPercent) =>
        [.. disruptions
            .Where(d => d.Count > Allowance(d.Current, maxPercent))
            .Select(d => $"{d.Address}: {d.Count} of {d.Current} {d.What}; safety.maxRecyclePercent {maxPercent}% allows at most {Allowance(d.Current, maxPercent)} per apply")];
}
