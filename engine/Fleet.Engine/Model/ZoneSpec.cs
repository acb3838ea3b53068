using System.Collections.Immutable;

namespace Fleet.Engine.Model;

/// <summary>A <c>kind: Zone</c>: static records added to a zone fleetctl manages.</summary>
public sealed record ZoneSpec(
    string Name,
    ImmutableArray<ZoneRecordSpec> Records,
    FieldLocations Locations);

/// <summary>One static record; <see cref="Name"/> is relative to the zone (<c>@</c> for the apex).</summary>
public sealed record ZoneRecordSpec(
    string Name,
    string Type,
    string Value,
    int? Ttl,
    Diagnostics.SourceLocation Location);
