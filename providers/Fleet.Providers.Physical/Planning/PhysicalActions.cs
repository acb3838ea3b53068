using System.Collections.Immutable;
using Fleet.Engine.Planning;

namespace Fleet.Providers.Physical.Planning;

/// <summary>The actions of physical plans: a machine installed into a pool, or recycled out of one.</summary>
public static class PhysicalActions
{
    public static ActionDescriptor Install { get; } =
        new("install", ChangeKind.Create, "machine", "install") { AlwaysSummarized = true, SummaryNamesNoun = false, ChangesMachines = true };

    public static ActionDescriptor Recycle { get; } =
        new("recycle", ChangeKind.Delete, "machine", "recycle") { AlwaysSummarized = true, SummaryNamesNoun = false, ChangesMachines = true };

    public static ImmutableArray<ActionDescriptor> All { get; } = [Install, Recycle];
}
