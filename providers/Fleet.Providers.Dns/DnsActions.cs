using System.Collections.Immutable;
using Fleet.Engine.Planning;

namespace Fleet.Providers.Dns;

/// <summary>The actions of DNS plans: a managed zone created on its servers, or its new content pushed.</summary>
public static class DnsActions
{
    public static ActionDescriptor ZoneCreate { get; } = new("zone_create", ChangeKind.Create, "zone", "create");

    public static ActionDescriptor ZonePush { get; } = new("zone_push", ChangeKind.Update, "zone", "push") { AlwaysSummarized = true };

    public static ImmutableArray<ActionDescriptor> All { get; } = [ZoneCreate, ZonePush];

    /// <summary>Whether <paramref name="action"/> is one of these, whose changes carry a zone's record diff.</summary>
    public static bool Declares(ChangeAction action) => All.Any(a => a.Action == action);
}
