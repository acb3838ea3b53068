using System.Collections.Immutable;

namespace Fleet.Engine.Planning;

/// <summary>
/// <c>--pool GLOB</c>, <c>--site NAME</c> and <c>--exclude GLOB</c>: a pool is planned when it
/// matches any pool glob (or none were given), lies in one of the sites (or none were given), and
/// matches no exclude glob. Globs know <c>*</c> (any run of characters) and <c>?</c> (one character).
/// A pool outside the selection is left alone, never treated as removed.
/// </summary>
public sealed record PlanSelection(ImmutableArray<string> Pools, ImmutableArray<string> Sites, ImmutableArray<string> Excludes)
{
    public static PlanSelection All { get; } = new([], [], []);

    public bool IsAll => Pools.IsDefaultOrEmpty && Sites.IsDefaultOrEmpty && Excludes.IsDefaultOrEmpty;

    /// <summary>Whether the pool named <paramref name="pool"/> (in <paramref name="site"/>, if it has one) is planned.</summary>
    public bool Includes(string pool, string? site) =>
        (Pools.IsDefaultOrEmpty || Pools.Any(g => GlobMatches(g, pool)))
        && (Sites.IsDefaultOrEmpty || (site is not null && Sites.Contains(site, StringComparer.Ordinal)))
        && (Excludes.IsDefaultOrEmpty || !Excludes.Any(g => GlobMatches(g, pool)));

    /// <summary>Whether a resource of a site (a zone, a site-wide change) is planned: only <c>--site</c> narrows it.</summary>
    public bool IncludesSite(string site) =>
        Sites.IsDefaultOrEmpty || Sites.Contains(site, StringComparer.Ordinal);

    /// <summary>Ordinal glob match with <c>*</c> and <c>?</c>, by backtracking on the last star (linear in practice).</summary>
    public static bool GlobMatches(string glob, string text)
    {
        int g = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == text[t]))
            {
                g++;
                t++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                star = g++;
                mark = t;
            }
            else if (star >= 0)
            {
                g = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == '*')
        {
            g++;
        }

        return g == glob.Length;
    }
}
