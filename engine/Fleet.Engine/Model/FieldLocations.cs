using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Model;

/// <summary>
/// Where each field of a document was written, so a later check (a dangling reference, a capacity
/// error) can point at the exact value. Keys are field paths as written: <c>size</c>, <c>gcp.zone</c>.
/// </summary>
public sealed record FieldLocations(SourceLocation Document, ImmutableDictionary<string, SourceLocation> Fields)
{
    public static FieldLocations At(SourceLocation document) => new(document, ImmutableDictionary<string, SourceLocation>.Empty);

    /// <summary>The location of a field, or of the document when the field was not written.</summary>
    public SourceLocation Of(string field) => Fields.TryGetValue(field, out var location) ? location : Document;
}
