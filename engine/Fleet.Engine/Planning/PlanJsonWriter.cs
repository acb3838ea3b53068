using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fleet.Engine.Planning;

/// <summary>Writes a plan in the plan file's one key order; used for both the file and the checksummed body.</summary>
internal static class PlanJsonWriter
{
    /// <summary>Property names encoded once; a plan of 100,000 changes writes each of them 100,000 times.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText FormatVersion = JsonEncodedText.Encode("formatVersion");
        public static readonly JsonEncodedText Fleet = JsonEncodedText.Encode("fleet");
        public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
        public static readonly JsonEncodedText Changes = JsonEncodedText.Encode("changes");
        public static readonly JsonEncodedText Summary = JsonEncodedText.Encode("summary");
        public static readonly JsonEncodedText Limits = JsonEncodedText.Encode("limits");
        public static readonly JsonEncodedText Guards = JsonEncodedText.Encode("guards");
        public static readonly JsonEncodedText Checksum = JsonEncodedText.Encode("checksum");
        public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public static readonly JsonEncodedText Commit = JsonEncodedText.Encode("commit");
        public static readonly JsonEncodedText Ref = JsonEncodedText.Encode("ref");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Address = JsonEncodedText.Encode("address");
        public static readonly JsonEncodedText Provider = JsonEncodedText.Encode("provider");
        public static readonly JsonEncodedText Action = JsonEncodedText.Encode("action");
        public static readonly JsonEncodedText Site = JsonEncodedText.Encode("site");
        public static readonly JsonEncodedText Machine = JsonEncodedText.Encode("machine");
        public static readonly JsonEncodedText Hostname = JsonEncodedText.Encode("hostname");
        public static readonly JsonEncodedText Before = JsonEncodedText.Encode("before");
        public static readonly JsonEncodedText After = JsonEncodedText.Encode("after");
        public static readonly JsonEncodedText Parameters = JsonEncodedText.Encode("parameters");
        public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
        public static readonly JsonEncodedText DependsOn = JsonEncodedText.Encode("dependsOn");
    }

    public static void Write(Utf8JsonWriter writer, Plan plan, string? checksum)
    {
        writer.WriteStartObject();
        writer.WriteNumber(Names.FormatVersion, plan.FormatVersion);
        writer.WriteString(Names.Fleet, plan.Fleet);
        WriteSource(writer, plan.Source);

        writer.WriteStartArray(Names.Changes);
        foreach (var change in plan.Changes)
        {
            WriteChange(writer, change);
        }

        writer.WriteEndArray();

        writer.WriteStartObject(Names.Summary);
        foreach (var (action, count) in plan.Summary)
        {
            writer.WriteNumber(action, count);
        }

        writer.WriteEndObject();

        writer.WriteStartArray(Names.Limits);
        foreach (var limit in plan.Limits)
        {
            writer.WriteStringValue(limit);
        }

        writer.WriteEndArray();

        WriteStrings(writer, Names.Guards, plan.Guards);
        if (checksum is not null)
        {
            writer.WriteString(Names.Checksum, checksum);
        }

        writer.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter writer, PlanSource source)
    {
        writer.WriteStartObject(Names.Source);
        writer.WriteString(Names.Kind, source.KindName);
        if (source.Commit is not null)
        {
            writer.WriteString(Names.Commit, source.Commit);
        }

        if (source.Ref is not null)
        {
            writer.WriteString(Names.Ref, source.Ref);
        }

        writer.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter writer, PlannedChange change)
    {
        writer.WriteStartObject();
        writer.WriteString(Names.Id, change.Id);
        writer.WriteString(Names.Address, change.Address);
        writer.WriteString(Names.Provider, change.Provider);
        writer.WriteString(Names.Action, change.Action.Name);
        WriteOptional(writer, Names.Site, change.Site);
        WriteOptional(writer, Names.Machine, change.Machine);
        WriteOptional(writer, Names.Hostname, change.Hostname);
        if (change.Before is not null)
        {
            writer.WritePropertyName(Names.Before);
            WriteCanonical(writer, change.Before);
        }

        if (change.After is not null)
        {
            writer.WritePropertyName(Names.After);
            WriteCanonical(writer, change.After);
        }

        if (!change.Parameters.IsEmpty)
        {
            WriteStrings(writer, Names.Parameters, change.Parameters);
        }

        writer.WriteString(Names.Reason, change.Reason);
        writer.WriteStartArray(Names.DependsOn);
        foreach (var id in change.DependsOn)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, JsonEncodedText name, ImmutableSortedDictionary<string, string> sorted)
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
