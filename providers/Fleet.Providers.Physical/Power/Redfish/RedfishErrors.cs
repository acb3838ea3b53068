using System.Text;
using System.Text.Json.Nodes;

namespace Fleet.Providers.Physical.Power.Redfish;

/// <summary>
/// Turns a Redfish error response (<c>{"error": {"code", "message", "@Message.ExtendedInfo": [...]}}</c>,
/// DSP0266 "Error responses") or a failed Task's <c>Messages</c> into one readable sentence: the
/// extended messages carry what actually went wrong and how to resolve it, the top-level message is
/// often only "see ExtendedInfo".
/// </summary>
internal static class RedfishErrors
{
    public static string? Describe(JsonObject? body)
    {
        if (body?["error"] is JsonObject error)
        {
            var details = Messages(error["@Message.ExtendedInfo"]);
            var message = RedfishJson.Text(error["message"]);
            var code = RedfishJson.Text(error["code"]);
            var head = message is null ? code : code is null ? message : $"{message} ({code})";
            return details.Length == 0 ? head
                : head is null || head.Contains("ExtendedInfo", StringComparison.OrdinalIgnoreCase) ? details
                : $"{head}: {details}";
        }

        return body?["Messages"] is JsonArray messages ? NullIfEmpty(Messages(messages)) : null;
    }

    /// <summary>Each message as "Message (MessageId) Resolution: ..." joined by "; ".</summary>
    private static string Messages(JsonNode? node)
    {
        var text = new StringBuilder();
        foreach (var item in node as JsonArray ?? [])
        {
            var message = RedfishJson.Text(item?["Message"]);
            var id = RedfishJson.Text(item?["MessageId"]);
            var resolution = RedfishJson.Text(item?["Resolution"]);
            if (message is null && id is null)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(message is null ? id : id is null ? message : $"{message} ({id})");
            if (!string.IsNullOrWhiteSpace(resolution) && !resolution.Equals("None", StringComparison.OrdinalIgnoreCase) && !resolution.Equals("None.", StringComparison.OrdinalIgnoreCase))
            {
                text.Append(" Resolution: ").Append(resolution);
            }
        }

        return text.ToString();
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
