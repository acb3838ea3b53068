using System.Text.Json;

namespace Fleet.Engine.Loading.Yaml;

/// <summary>RFC 6901 JSON pointers as strings (<c>/sites/0/name</c>, optionally after a <c>#</c>).</summary>
public static class JsonPointers
{
    /// <summary>The unescaped reference tokens of a pointer; none for the whole document.</summary>
    public static IEnumerable<string> Segments(string pointer) =>
        pointer.TrimStart('#').Split('/').Skip(1)
            .Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));

    /// <summary>The member of a JSON document a pointer of property names designates (as in a local <c>$ref</c>), if any.</summary>
    public static JsonElement? Find(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var segment in Segments(pointer))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current;
    }
}
