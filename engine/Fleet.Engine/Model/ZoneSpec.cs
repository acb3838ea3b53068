using System.Collections.Immutable;

namespace Fleet.Engine.Model;

/// <summary>A <c>kind: Zone</c>: static records added to a zone fleetctl manages.</summary>
public sealed record ZoneSpec(
    string Name,
    ImmutableArray<ZoneRecordSpec> Records,
    FieldLocations Locations)
{
    /// <summary>A Scriban template for this zone only (a path in the fleet repository), overriding <c>dns.template</c>.</summary>
    public string? Template { get; init; }

    /// <summary>
    /// The share of a zone's records (percent) one push may delete or change without <c>--force</c>;
    /// null keeps the default of 30.
    /// </summary>
    public int? MaxChangePercent { get; init; }
}

/// <summary>One static record; <see cref="Name"/> is relative to the zone (<c>@</c> for the apex).</summary>
public sealed record ZoneRecordSpec(
    string Name,
    string Type,
    string Value,
    int? Ttl,
    Diagnostics.SourceLocation Location);
