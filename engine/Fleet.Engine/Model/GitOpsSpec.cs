using System.Collections.Immutable;

namespace Fleet.Engine.Model;

/// <summary><c>gitops:</c> in fleet.yaml. <c>requireCommit</c> forbids applying a working tree (production fleets).</summary>
public sealed record GitOpsSpec(bool RequireCommit, FieldLocations Locations);

/// <summary>
/// <c>reconcile:</c> in fleet.yaml: whether scheduled reconciliation only reports drift or also
/// applies safe plans, when it must not apply (freeze windows), and who hears about drift.
/// </summary>
public sealed record ReconcileSpec(string Mode, ImmutableArray<FreezeSpec> Freeze, string? Webhook, FieldLocations Locations)
{
    public const string Report = "report";
    public const string Apply = "apply";

    public static ReconcileSpec Default { get; } = new(Report, [], null, FieldLocations.At(Diagnostics.SourceLocation.None));
}

/// <summary>A freeze window: starts at each match of a cron <see cref="Schedule"/> (UTC) and lasts <see cref="Duration"/> (e.g. 63h).</summary>
public sealed record FreezeSpec(string Schedule, string Duration, FieldLocations Locations);
