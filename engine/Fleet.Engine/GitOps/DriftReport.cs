using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Fleet.Engine.Model;

namespace Fleet.Engine.GitOps;

/// <summary>The outcome of one reconcile pass.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReconcileStatus>))]
public enum ReconcileStatus
{
    /// <summary>The fleet matches the desired state.</summary>
    [JsonStringEnumMemberName("in_sync")]
    InSync,

    /// <summary>Drift was found and repaired by applying.</summary>
    [JsonStringEnumMemberName("repaired")]
    Repaired,

    /// <summary>Drift was found and left: report mode, a freeze window, or an unsafe plan.</summary>
    [JsonStringEnumMemberName("drift")]
    Drift,

    /// <summary>The pass failed (fetch, plan or apply error).</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>One thing that differs and why: a pool changed in git, a machine broke, a zone was edited by hand.</summary>
public sealed record DriftItem(string Address, string Cause, string Detail);

/// <summary>
/// What a reconcile pass found and did, written as JSON and posted to the fleet's webhook when
/// there is drift or a failure.
/// </summary>
public sealed record DriftReport(
    string Fleet,
    DateTimeOffset At,
    string? Commit,
    ReconcileMode Mode,
    ReconcileStatus Status,
    ImmutableArray<DriftItem> Items,
    ImmutableSortedDictionary<string, int> Changes,
    string? Reason,
    string? Error)
{
    /// <summary>Whether anyone should hear about this pass.</summary>
    [JsonIgnore]
    public bool Notable => Status is ReconcileStatus.Drift or ReconcileStatus.Failed or ReconcileStatus.Repaired;
}
