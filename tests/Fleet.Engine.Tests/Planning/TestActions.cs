using System.Collections.Immutable;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Tests.Planning;

/// <summary>
/// Actions for engine tests, declared as the providers declare theirs: the engine knows no action,
/// so its tests bring their own.
/// </summary>
internal static class TestActions
{
    public static ActionDescriptor Install { get; } = new("install", ChangeKind.Create, "machine", "install") { AlwaysSummarized = true, SummaryNamesNoun = false };

    public static ActionDescriptor Recycle { get; } = new("recycle", ChangeKind.Delete, "machine", "recycle") { AlwaysSummarized = true, SummaryNamesNoun = false };

    public static ActionDescriptor Resize { get; } = new("resize", ChangeKind.Update, "group", "resize") { AlwaysSummarized = true, SummaryNamesNoun = false };

    public static ActionDescriptor ZonePush { get; } = new("zone_push", ChangeKind.Update, "zone", "push") { AlwaysSummarized = true };

    public static ImmutableArray<ActionDescriptor> All { get; } = [Install, Recycle, Resize, ZonePush];

    public static ActionCatalog Catalog { get; } = new(All);
}
