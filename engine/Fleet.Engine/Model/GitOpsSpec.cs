using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Fleet.Engine.GitOps;

namespace Fleet.Engine.Model;

/// <summary><c>gitops:</c> in fleet.yaml. <c>requireCommit</c> forbids applying a working tree (production fleets).</summary>
public sealed record GitOpsSpec(bool RequireCommit, FieldLocations Locations);

/// <summary>Whether scheduled reconciliation only reports drift, or also applies safe plans.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReconcileMode>))]
public enum ReconcileMode
{
    [JsonStringEnumMemberName("report")]
    Report,

    [JsonStringEnumMemberName("apply")]
    Apply,
}

public static class ReconcileModes
{
    /// <summary>The YAML spelling: <c>report</c>, <c>apply</c>.</summary>
    public static string ToWire(this ReconcileMode mode) => mode == ReconcileMode.Apply ? "apply" : "report";

    /// <summary>A spelling the schema has admitted.</summary>
    public static ReconcileMode Parse(string text) => text == "apply" ? ReconcileMode.Apply : ReconcileMode.Report;
}

/// <summary>
/// <c>reconcile:</c> in fleet.yaml: whether scheduled reconciliation only reports drift or also
/// applies safe plans, when it must not apply (freeze windows), and who hears about drift.
/// </summary>
public sealed record ReconcileSpec(ReconcileMode Mode, ImmutableArray<FreezeSpec> Freeze, string? Webhook, FieldLocations Locations)
{
    public static ReconcileSpec Default { get; } = new(ReconcileMode.Report, [], null, FieldLocations.At(Diagnostics.SourceLocation.None));
}

/// <summary>
/// A freeze window as written: starts at each match of a cron <see cref="Schedule"/> (UTC) and lasts
/// <see cref="Duration"/> (e.g. 63h). <see cref="Window"/> is the same, parsed once when the fleet is
/// read; null when the schedule does not parse, which loading reports (<see cref="ScheduleError"/>).
/// </summary>
public sealed record FreezeSpec(string Schedule, string Duration, FreezeWindow? Window, string? ScheduleError, FieldLocations Locations);
