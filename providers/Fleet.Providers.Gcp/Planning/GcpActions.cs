using System.Collections.Immutable;
using Fleet.Engine.Planning;

namespace Fleet.Providers.Gcp.Planning;

/// <summary>The actions of GCP plans, on managed instance groups and their instance templates.</summary>
public static class GcpActions
{
    public static ActionDescriptor CreateGroup { get; } = new("create_group", ChangeKind.Create, "group", "create");

    public static ActionDescriptor Resize { get; } =
        new("resize", ChangeKind.Update, "group", "resize") { AlwaysSummarized = true, SummaryNamesNoun = false };

    public static ActionDescriptor UpdateTemplate { get; } = new("update_template", ChangeKind.Update, "template", "update");

    public static ActionDescriptor DeleteGroup { get; } = new("delete_group", ChangeKind.Delete, "group", "delete");

    public static ImmutableArray<ActionDescriptor> All { get; } = [CreateGroup, Resize, UpdateTemplate, DeleteGroup];
}
