using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Jobs;

/// <summary>A planned change as a job's <c>params</c> (the plan file's change object) and back.</summary>
public static class JobChanges
{
    public static NewJob ToNewJob(PlannedChange change, JobContext context, long? replacementOf = null) => new(
        context.ApplyId,
        change.Id,
        change.Action.Name,
        change.Machine ?? change.Address,
        change.Site,
        ToJson(change),
        context.Requester,
        context.Commit,
        context.PlanChecksum,
        replacementOf);

    public static JsonObject ToJson(PlannedChange change)
    {
        var json = new JsonObject
        {
            ["id"] = change.Id,
            ["address"] = change.Address,
            ["provider"] = change.Provider,
            ["action"] = change.Action.Name,
            ["reason"] = change.Reason,
            ["dependsOn"] = new JsonArray([.. change.DependsOn.Select(d => (JsonNode?)JsonValue.Create(d))]),
        };
        AddIfSet(json, "machine", change.Machine);
        AddIfSet(json, "hostname", change.Hostname);
        AddIfSet(json, "site", change.Site);
        if (change.Before is not null)
        {
            json["before"] = change.Before.DeepClone();
        }

        if (change.After is not null)
        {
            json["after"] = change.After.DeepClone();
        }

        if (!change.Parameters.IsEmpty)
        {
            json["parameters"] = new JsonObject(change.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        }

        return json;
    }

    public static PlannedChange FromJson(JsonObject json)
    {
        var actionText = Text(json, "action");
        if (string.IsNullOrEmpty(actionText))
        {
            throw new FormatException("job parameters name no action");
        }

        return new PlannedChange
        {
            Id = Text(json, "id") ?? string.Empty,
            Address = Text(json, "address") ?? string.Empty,
            Provider = Text(json, "provider") ?? string.Empty,
            Action = new ChangeAction(actionText),
            Reason = Text(json, "reason") ?? string.Empty,
            DependsOn = json["dependsOn"] is JsonArray deps ? [.. deps.Select(d => d!.GetValue<string>())] : [],
            Machine = Text(json, "machine"),
            Hostname = Text(json, "hostname"),
            Site = Text(json, "site"),
            Before = json["before"]?.DeepClone() as JsonObject,
            After = json["after"]?.DeepClone() as JsonObject,
            Parameters = json["parameters"] is JsonObject parameters
                ? parameters.ToImmutableSortedDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal)
                : ImmutableSortedDictionary<string, string>.Empty,
        };
    }

    private static void AddIfSet(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static string? Text(JsonObject json, string name) => json[name]?.GetValue<string>();
}

/// <summary>Who and what an apply's jobs belong to, copied onto every job it enqueues.</summary>
public sealed record JobContext(string? ApplyId, string Requester, string? Commit, string? PlanChecksum);
