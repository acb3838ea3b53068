using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Planning;

namespace Fleet.Providers.Physical.Planning;

/// <summary>
/// The guards of physical plans: <c>machine/SERIAL</c> and <c>pool/NAME</c> mapped to the
/// inventory row version the plan was made against (<c>none</c> for a pool the inventory has no
/// record of). Only what a plan touches is guarded, so unrelated inventory changes never make it stale.
/// </summary>
public static class PhysicalGuards
{
    public const string Absent = "none";

    public static string Machine(string serial) => new ResourceAddress("machine", serial).ToString();

    public static string Pool(string name) => ResourceAddress.Pool(name).ToString();

    public static string Version(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>A message for every guard that no longer holds in <paramref name="actual"/>.</summary>
    public static ImmutableArray<string> FindStale(IReadOnlyDictionary<string, string> guards, PhysicalSnapshot actual)
    {
        var machines = actual.Machines.ToDictionary(m => Machine(m.HardwareName), m => Version(m.Version), StringComparer.Ordinal);
        var pools = actual.Pools.Where(p => p.Backend == PhysicalPlanner.ProviderName)
            .ToDictionary(p => Pool(p.Name), p => Version(p.Version), StringComparer.Ordinal);
        var stale = ImmutableArray.CreateBuilder<string>();
        foreach (var (key, expected) in guards.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var current = machines.GetValueOrDefault(key) ?? pools.GetValueOrDefault(key) ?? Absent;
            if (current != expected)
            {
                stale.Add(current == Absent
                    ? $"{key} no longer exists in the inventory"
                    : $"{key} changed since the plan was made (version {expected}, now {current})");
            }
        }

        return stale.ToImmutable();
    }
}
