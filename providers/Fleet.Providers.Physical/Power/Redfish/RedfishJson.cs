using System.Text.Json.Nodes;

namespace Fleet.Providers.Physical.Power.Redfish;

/// <summary>
/// Reading Redfish payloads without trusting their shape: a BMC that leaves out a property or
/// gives it another type yields null here, and the caller says what was missing.
/// </summary>
internal static class RedfishJson
{
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The <c>@odata.id</c> of a navigation property such as <c>"Systems": { "@odata.id": "/redfish/v1/Systems" }</c>.</summary>
    public static string? Link(JsonNode? node) => Text(node?["@odata.id"]);

    public static IReadOnlyList<string>? Texts(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(Text).OfType<string>()] : null;

    public static JsonObject? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
