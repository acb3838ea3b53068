using System.Text.Json.Nodes;
using Fleet.Engine.Planning;
using Fleet.Providers.Dns;

namespace Fleetctl.Rendering;

/// <summary>
/// Wording shared by the text and markdown renderers: the summary sentence and the per-action phrases,
/// from the actions the providers declare (<see cref="ActionCatalog"/>), so a new action needs no change here.
/// </summary>
public static class PlanSummary
{
    public const string NoChanges = "No changes. The fleet matches the desired state.";

    /// <summary>
    /// "Plan: 2 to install, 1 to recycle, 0 to resize, 1 zone to push." The actions declared
    /// <see cref="ActionDescriptor.AlwaysSummarized"/> always, then the others the plan has, each group
    /// in declaration order; an action no provider declares comes last.
    /// </summary>
    public static string Sentence(Plan plan, ActionCatalog actions)
    {
        var counts = plan.Summary.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var parts = new List<string>();
        parts.AddRange(actions.All.Where(a => a.AlwaysSummarized).Select(a => Counted(counts.GetValueOrDefault(a.Name), a)));
        parts.AddRange(actions.All.Where(a => !a.AlwaysSummarized && counts.ContainsKey(a.Name)).Select(a => Counted(counts[a.Name], a)));
        parts.AddRange(counts.Where(c => !actions.Declares(c.Key)).Select(c => Counted(c.Value, ActionDescriptor.Undeclared(new ChangeAction(c.Key)))));
        return $"Plan: {string.Join(", ", parts)}.";
    }

    /// <summary>The actions the plan has with their counts, in declaration order (then any no provider declares), for tables.</summary>
    public static IEnumerable<KeyValuePair<string, int>> Counts(Plan plan, ActionCatalog actions)
    {
        var counts = plan.Summary.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return actions.All.Where(a => counts.ContainsKey(a.Name)).Select(a => KeyValuePair.Create(a.Name, counts[a.Name]))
            .Concat(counts.Where(c => !actions.Declares(c.Key)));
    }

    /// <summary>The symbol of a kind of change, as in Terraform: + adds, - removes, ~ changes in place, -/+ replaces.</summary>
    public static string Symbol(ChangeKind kind) => kind switch
    {
        ChangeKind.Create => "+",
        ChangeKind.Delete => "-",
        ChangeKind.Replace => "-/+",
        _ => "~",
    };

    /// <summary>The changed fields of before/after as "size: 18 → 20", in key order.</summary>
    public static string Difference(PlannedChange change)
    {
        if (ZoneCounts(change) is { } zone)
        {
            return $"{zone.Records} records (+{zone.Added} -{zone.Removed} ~{zone.Changed})";
        }

        if (change.Before is null && change.After is null)
        {
            return string.Empty;
        }

        var keys = (change.Before?.Select(p => p.Key) ?? []).Union(change.After?.Select(p => p.Key) ?? []).Order(StringComparer.Ordinal);
        var parts = new List<string>();
        foreach (var key in keys)
        {
            var before = change.Before?[key]?.ToJsonString();
            var after = change.After?[key]?.ToJsonString();
            if (before == after)
            {
                continue;
            }

            parts.Add($"{key}: {Unquote(before) ?? "(none)"} → {Unquote(after) ?? "(none)"}");
        }

        return string.Join(", ", parts);
    }

    /// <summary>
    /// The record-level diff of a zone change as the DNS provider capped it (<c>+ www 300 A 10.1.0.5</c>),
    /// followed by "… and N more" when the change holds more differences than it lists.
    /// </summary>
    public static IEnumerable<string> ZoneRecordDiff(PlannedChange change)
    {
        if (ZoneCounts(change) is not { } zone || change.After?["diff"] is not JsonArray lines)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            yield return line?.GetValue<string>() ?? string.Empty;
        }

        var more = zone.Added + zone.Removed + zone.Changed - lines.Count;
        if (more > 0)
        {
            yield return $"… and {more} more";
        }
    }

    // The DNS provider's changes carry their record diff in after; this display is the DNS provider's.
    private static (long Records, long Added, long Removed, long Changed)? ZoneCounts(PlannedChange change) =>
        DnsActions.Declares(change.Action)
        && change.After is { } after
        && after["records"] is JsonValue records && after["added"] is JsonValue added
        && after["removed"] is JsonValue removed && after["changed"] is JsonValue changed
            ? (Count(records), Count(added), Count(removed), Count(changed))
            : null;

    // Counts arrive as int from a fresh plan and as long (or double) from a parsed plan file.
    private static long Count(JsonValue value) => (long)double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Changes grouped by resource address, groups in order of their first change.</summary>
    public static IEnumerable<IGrouping<string, PlannedChange>> ByResource(Plan plan) => plan.Changes.GroupBy(c => c.Address, StringComparer.Ordinal);

    public static string DescribeSource(PlanSource source) => source.Kind == PlanSourceKind.Git && source.Commit is not null
        ? $"commit {source.Commit[..Math.Min(12, source.Commit.Length)]}{(source.Ref is null ? string.Empty : $" ({source.Ref})")}"
        : "the working tree";

    private static string? Unquote(string? json) =>
        json is { Length: >= 2 } && json[0] == '"' && json[^1] == '"' ? System.Text.Json.JsonSerializer.Deserialize<string>(json) : json;

    /// <summary>"2 to install", or with the noun, "1 zone to push", "2 zones to push".</summary>
    private static string Counted(int count, ActionDescriptor action) => action.SummaryNamesNoun
        ? $"{count} {action.Noun}{(count == 1 ? string.Empty : "s")} to {action.Verb}"
        : $"{count} to {action.Verb}";
}
