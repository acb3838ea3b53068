using System.Collections.Immutable;
using System.Text;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;

namespace Fleet.Engine.GitOps;

/// <summary>
/// CODEOWNERS lines that give each pool and role file to its role's owning team, so the team that
/// owns a role reviews every change to it. The lines sit between marker comments, so a checked-in
/// CODEOWNERS can hold other rules too and still be checked for staleness.
/// </summary>
public static class CodeOwners
{
    public const string BeginMarker = "# BEGIN fleetctl codeowners (generated: fleetctl codeowners)";
    public const string EndMarker = "# END fleetctl codeowners";

    /// <param name="owners">Team → code-host handle (<c>owners:</c> in fleet.yaml); a team not listed is used as written.</param>
    /// <param name="pathPrefix">The fleet directory relative to the repository root ("" at the root).</param>
    public static ImmutableArray<string> Generate(DesiredState state, IReadOnlyDictionary<string, string> owners, string pathPrefix)
    {
        var roles = state.Roles.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var byFile = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Give(SourceLocation location, string? team)
        {
            if (team is null || location.IsNone)
            {
                return;
            }

            if (!byFile.TryGetValue(location.File, out var handles))
            {
                byFile[location.File] = handles = new SortedSet<string>(StringComparer.Ordinal);
            }

            handles.Add(owners.TryGetValue(team, out var handle) ? handle : team);
        }

        foreach (var role in state.Roles)
        {
            Give(role.Locations.Document, role.Owner);
        }

        foreach (var pool in state.Pools)
        {
            Give(pool.Locations.Document, roles.GetValueOrDefault(pool.Role)?.Owner);
        }

        var prefix = pathPrefix.Trim('/');
        return
        [
            BeginMarker,
            .. byFile.Select(e => $"/{(prefix.Length == 0 ? string.Empty : prefix + "/")}{Escape(e.Key)} {string.Join(' ', e.Value)}"),
            EndMarker,
        ];
    }

    /// <summary>The generated block of a CODEOWNERS text, or null when it has none.</summary>
    public static ImmutableArray<string>? ExtractBlock(string codeowners)
    {
        var lines = codeowners.ReplaceLineEndings("\n").Split('\n');
        var begin = Array.FindIndex(lines, l => l.Trim() == BeginMarker);
        var end = Array.FindIndex(lines, Math.Max(begin, 0), l => l.Trim() == EndMarker);
        return begin < 0 || end < 0 ? null : [.. lines[begin..(end + 1)].Select(l => l.TrimEnd())];
    }

    /// <summary>Describes how a checked-in block differs from the generated one; empty when it matches.</summary>
    public static ImmutableArray<string> Compare(ImmutableArray<string> expected, ImmutableArray<string>? actual)
    {
        if (actual is not { } present)
        {
            return ["it has no fleetctl block; add the output of 'fleetctl codeowners'"];
        }

        var missing = expected.Except(present).Select(l => $"missing: {l}");
        var stale = present.Except(expected).Select(l => $"stale: {l}");
        return [.. missing.Concat(stale)];
    }

    public static string Render(ImmutableArray<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    // CODEOWNERS patterns treat spaces and '#' specially.
    private static string Escape(string path) => path.Replace(" ", "\\ ", StringComparison.Ordinal).Replace("#", "\\#", StringComparison.Ordinal);
}
