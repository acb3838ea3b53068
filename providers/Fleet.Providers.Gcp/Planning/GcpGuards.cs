using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Planning;

namespace Fleet.Providers.Gcp.Planning;

/// <summary>
/// The guards of GCP plans: <c>group/NAME</c> mapped to <c>ZONE/TEMPLATE/SIZE</c> of the group as the
/// plan saw it (<c>none</c> when it did not exist). A group resized or re-templated by hand since the
/// plan makes the plan stale; unrelated groups never do.
/// </summary>
public static class GcpGuards
{
    public const string Absent = "none";

    public static string Group(string name) => new ResourceAddress("group", name).ToString();

    public static string Version(GroupState? group) =>
        group is null ? Absent : $"{group.Zone}/{group.Template}/{group.TargetSize.ToString(CultureInfo.InvariantCulture)}";

    public static ImmutableArray<string> FindStale(IReadOnlyDictionary<string, string> guards, GcpSnapshot actual)
    {
        var stale = ImmutableArray.CreateBuilder<string>();
        foreach (var (key, expected) in guards.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var current = Version(actual.Groups.FirstOrDefault(g => Group(g.Name) == key && (expected == Absent || expected.StartsWith(g.Zone + "/", StringComparison.Ordinal))));
            if (current != expected)
            {
                stale.Add(current == Absent
                    ? $"{key} no longer exists in GCP"
                    : expected == Absent
                        ? $"{key} was created in GCP since the plan was made"
                        : $"{key} changed in GCP since the plan was made (was {expected}, now {current})");
            }
        }

        return stale.ToImmutable();
    }
}
