using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fleet.Engine.Planning;

/// <summary>Writes a plan in the plan file's one key order; used for both the file and the checksummed body.</summary>
internal static class PlanJsonWriter
{
    public static void Write(Utf8JsonWriter writer, Plan plan, string? checksum)
    {
        writer.WriteStartObject();
        writer.WriteNumber("formatVersion", plan.FormatVersion);
        writer.WriteString("fleet", plan.Fleet);
        WriteSource(writer, plan.Source);

        writer.WriteStartArray("changes");
        foreach (var change in plan.Changes)
        {
            WriteChange(writer, change);
        }

        writer.WriteEndArray();

        writer.WriteStartObject("summary");
        foreach (var (action, count) in plan.Summary)
        {
            writer.WriteNumber(action, count);
        }

        writer.WriteEndObject();

        writer.WriteStartArray("limits");
        foreach (var limit in plan.Limits)
        {
            writer.WriteStringValue(limit);
        }

        writer.WriteEndArray();

        WriteStrings(writer, "guards", plan.Guards);
        if (checksum is not null)
        {
            writer.WriteString("checksum", checksum);
        }

        writer.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter writer, PlanSource source)
    {
        writer.WriteStartObject("source");
        writer.WriteString("kind", source.Kind);
        if (source.Commit is not null)
        {
            writer.WriteString("commit", source.Commit);
        }

        if (source.Ref is not null)
        {
            writer.WriteString("ref", source.Ref);
        }

        writer.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter writer, PlannedChange change)
    {
        writer.WriteStartObject();
        writer.WriteString("id", change.Id);
        writer.WriteString("address", change.Address);
        writer.WriteString("provider", change.Provider);
        writer.WriteString("action", change.Action.ToWire());
        WriteOptional(writer, "site", change.Site);
        WriteOptional(writer, "machine", change.Machine);
        WriteOptional(writer, "hostname", change.Hostname);
        if (change.Before is not null)
        {
            writer.WritePropertyName("before");
            WriteCanonical(writer, change.Before);
        }

        if (change.After is not null)
        {
            writer.WritePropertyName("after");
            WriteCanonical(writer, change.After);
        }

        if (!change.Parameters.IsEmpty)
        {
            WriteStrings(writer, "parameters", change.Parameters);
        }

        writer.WriteString("reason", change.Reason);
        writer.WriteStartArray("dependsOn");
        foreach (var id in change.DependsOn)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, string>> sorted)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in sorted)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Any JSON with object keys in ordinal order, so the same content always gives the same bytes.</summary>
    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
