using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Fleet.Engine.Planning;

/// <summary>
/// A plan: the self-contained, versioned artifact that review sees and apply executes (DESIGN.md,
/// Plan file). Renderers read only this model. <see cref="Guards"/> are what apply re-checks to
/// refuse a stale plan; <see cref="Checksum"/> covers the canonical body.
/// </summary>
public sealed record Plan(
    int FormatVersion,
    string Fleet,
    PlanSource Source,
    ImmutableArray<PlannedChange> Changes,
    ImmutableSortedDictionary<string, string> Guards,
    ImmutableArray<string> Limits,
    string Checksum)
{
    /// <summary>
    /// 2: the summary lists only the actions present (1 listed every action of a closed set, so a new
    /// action changed every plan).
    /// </summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>
    /// Count of changes per action, keyed by wire name: only the actions the plan has, ordered
    /// ordinally by name, so neither the providers registered nor the order of changes moves a key.
    /// </summary>
    public ImmutableArray<KeyValuePair<string, int>> Summary =>
        [.. Changes.GroupBy(c => c.Action.Name, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count()))
            .OrderBy(p => p.Key, StringComparer.Ordinal)];

    public bool HasChanges => !Changes.IsEmpty;
}

/// <summary>Where a plan's desired state was read from.</summary>
public enum PlanSourceKind
{
    /// <summary>The fleet directory as it is on disk.</summary>
    Worktree,

    /// <summary>A commit, never the working tree (<c>--ref</c>).</summary>
    Git,
}

/// <summary>Where the desired state was read from: the working tree, or a commit and the ref it was resolved from.</summary>
public sealed record PlanSource(PlanSourceKind Kind, string? Commit = null, string? Ref = null)
{
    public static PlanSource Worktree { get; } = new(PlanSourceKind.Worktree);

    /// <summary>The plan file's spelling of <see cref="Kind"/>: <c>worktree</c> or <c>git</c>.</summary>
    public string KindName => Kind == PlanSourceKind.Git ? "git" : "worktree";

    public static PlanSource Git(string commit, string? reference) => new(PlanSourceKind.Git, commit, reference);
}

/// <summary>
/// One change. <see cref="Reason"/> is display-only (grow, shrink, replace, reimage, destroy, records…)
/// and never read by apply. <see cref="Parameters"/> carry what apply needs (role, image, pool, zone…).
/// </summary>
public sealed record PlannedChange
{
    public required string Id { get; init; }

    /// <summary>The resource the change belongs to: <c>pool/NAME</c> or <c>zone/NAME</c> (a <see cref="ResourceAddress"/>, as the plan file spells it).</summary>
    public required string Address { get; init; }

    public required string Provider { get; init; }

    public required ChangeAction Action { get; init; }

    public required string Reason { get; init; }

    public ImmutableArray<string> DependsOn { get; init; } = [];

    /// <summary>The machine's serial, for physical changes.</summary>
    public string? Machine { get; init; }

    public string? Hostname { get; init; }

    /// <summary>The site whose workers run the change (per-site parallelism), when it has one.</summary>
    public string? Site { get; init; }

    public JsonObject? Before { get; init; }

    public JsonObject? After { get; init; }

    public ImmutableSortedDictionary<string, string> Parameters { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}
