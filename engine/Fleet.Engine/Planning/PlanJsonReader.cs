using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Planning;

/// <summary>
/// Maps a parsed plan file onto the plan model strictly: every missing, mistyped or unknown field is
/// collected (with its JSON path) and reported together. Another formatVersion stops at once, since
/// nothing else in such a file can be trusted to mean what this version means; it is named as a file
/// of an older or newer fleetctl, never as a changed one. Actions are read by name and must be
/// declared by one of the providers this fleetctl has (<see cref="ActionCatalog"/>).
/// </summary>
internal sealed class PlanJsonReader
{
    private static readonly string[] RootFields = ["formatVersion", "fleet", "source", "changes", "summary", "limits", "guards", "checksum"];
    private static readonly string[] SourceFields = ["kind", "commit", "ref"];
    private static readonly string[] ChangeFields =
        ["id", "address", "provider", "action", "site", "machine", "hostname", "before", "after", "parameters", "reason", "dependsOn"];

    private readonly SourceLocation file;
    private readonly ActionCatalog actions;
    private readonly List<Diagnostic> errors = [];

    private PlanJsonReader(SourceLocation file, ActionCatalog actions) => (this.file, this.actions) = (file, actions);

    /// <summary>The plan, the checksum the file states, and the summary it states (derived data, which the caller verifies).</summary>
    public static Plan Read(JsonElement root, SourceLocation file, ActionCatalog actions, out string checksum, out ImmutableArray<KeyValuePair<string, int>> summary)
    {
        var reader = new PlanJsonReader(file, actions);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FleetException(file, "the file is not a plan file: its JSON is not an object");
        }

        if (!root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number)
        {
            throw new FleetException(file, "the file is not a plan file: it has no formatVersion");
        }

        if (!version.TryGetInt32(out var formatVersion) || formatVersion < 1)
        {
            throw new FleetException(file, $"the file is not a plan file: its formatVersion {version.GetRawText()} is not a version number");
        }

        if (formatVersion != Plan.CurrentFormatVersion)
        {
            throw new FleetException(file, $"the plan file was written by {(formatVersion > Plan.CurrentFormatVersion ? "a newer" : "an older")} fleetctl (formatVersion {formatVersion}); this fleetctl reads formatVersion {Plan.CurrentFormatVersion}: plan again with this fleetctl");
        }

        var plan = reader.ReadPlan(root, out checksum, out summary);
        if (reader.errors.Count > 0)
        {
            throw new FleetException(reader.errors);
        }

        return plan;
    }

    private Plan ReadPlan(JsonElement root, out string checksum, out ImmutableArray<KeyValuePair<string, int>> summary)
    {
        RejectUnknown(root, "$", RootFields);
        var fleet = String(root, "$", "fleet") ?? string.Empty;
        var source = ReadSource(root);
        var changes = ImmutableArray.CreateBuilder<PlannedChange>();
        if (Property(root, "$", "changes", JsonValueKind.Array) is { } array)
        {
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                if (ReadChange(element, $"$.changes[{index++}]") is { } change)
                {
                    changes.Add(change);
                }
            }
        }

        summary = Property(root, "$", "summary", JsonValueKind.Object) is { } counts
            ? [.. counts.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.TryGetInt32(out var n) ? n : -1))]
            : [];
        var limits = ImmutableArray.CreateBuilder<string>();
        if (Property(root, "$", "limits", JsonValueKind.Array) is { } limitArray)
        {
            limits.AddRange(Strings(limitArray, "$.limits"));
        }

        var guards = StringMap(root, "$", "guards") ?? ImmutableSortedDictionary<string, string>.Empty;
        checksum = String(root, "$", "checksum") ?? string.Empty;
        return new Plan(Plan.CurrentFormatVersion, fleet, source, changes.ToImmutable(), guards, limits.ToImmutable(), checksum);
    }

    private PlanSource ReadSource(JsonElement root)
    {
        if (Property(root, "$", "source", JsonValueKind.Object) is not { } source)
        {
            return PlanSource.Worktree;
        }

        RejectUnknown(source, "$.source", SourceFields);
        var kind = String(source, "$.source", "kind") ?? "worktree";
        var commit = OptionalString(source, "$.source", "commit");
        var reference = OptionalString(source, "$.source", "ref");
        switch (kind)
        {
            case "worktree":
                return PlanSource.Worktree with { Commit = commit, Ref = reference };
            case "git" when commit is null || commit.Length != 40 || !commit.All(char.IsAsciiHexDigitLower):
                // Apply checks a git plan's commit against the ledger; one that names none would pass as a working tree.
                Error($"$.source.commit: a plan from git must name its commit as 40 lowercase hex digits, got {(commit is null ? "none" : $"'{commit}'")}");
                return PlanSource.Worktree;
            case "git":
                return PlanSource.Git(commit, reference);
            default:
                Error($"$.source.kind: unknown source kind '{kind}' (expected git or worktree)");
                return PlanSource.Worktree;
        }
    }

    private PlannedChange? ReadChange(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Error($"{path}: expected an object");
            return null;
        }

        RejectUnknown(element, path, ChangeFields);
        var actionText = String(element, path, "action");
        if (actionText is not null && !actions.Declares(actionText))
        {
            Error($"{path}.action: unknown action '{actionText}'");
        }

        var dependsOn = Property(element, path, "dependsOn", JsonValueKind.Array) is { } deps
            ? Strings(deps, $"{path}.dependsOn")
            : [];
        return new PlannedChange
        {
            Id = String(element, path, "id") ?? string.Empty,
            Address = String(element, path, "address") ?? string.Empty,
            Provider = String(element, path, "provider") ?? string.Empty,
            Action = new ChangeAction(actionText ?? string.Empty),
            Reason = String(element, path, "reason") ?? string.Empty,
            Site = OptionalString(element, path, "site"),
            Machine = OptionalString(element, path, "machine"),
            Hostname = OptionalString(element, path, "hostname"),
            Before = OptionalObject(element, path, "before"),
            After = OptionalObject(element, path, "after"),
            Parameters = element.TryGetProperty("parameters", out _)
                ? StringMap(element, path, "parameters") ?? ImmutableSortedDictionary<string, string>.Empty
                : ImmutableSortedDictionary<string, string>.Empty,
            DependsOn = dependsOn,
        };
    }

    private JsonElement? Property(JsonElement obj, string path, string name, JsonValueKind kind)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            Error($"{path}.{name}: missing");
            return null;
        }

        if (value.ValueKind != kind)
        {
            Error($"{path}.{name}: expected {Describe(kind)}, found {Describe(value.ValueKind)}");
            return null;
        }

        return value;
    }

    private string? String(JsonElement obj, string path, string name) =>
        Property(obj, path, name, JsonValueKind.String)?.GetString();

    private string? OptionalString(JsonElement obj, string path, string name) =>
        obj.TryGetProperty(name, out _) ? String(obj, path, name) : null;

    private JsonObject? OptionalObject(JsonElement obj, string path, string name) =>
        obj.TryGetProperty(name, out _) && Property(obj, path, name, JsonValueKind.Object) is { } value
            ? JsonNode.Parse(value.GetRawText())!.AsObject()
            : null;

    private ImmutableSortedDictionary<string, string>? StringMap(JsonElement obj, string path, string name)
    {
        if (Property(obj, path, name, JsonValueKind.Object) is not { } map)
        {
            return null;
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                builder[property.Name] = property.Value.GetString()!;
            }
            else
            {
                Error($"{path}.{name}.{property.Name}: expected a string, found {Describe(property.Value.ValueKind)}");
            }
        }

        return builder.ToImmutable();
    }

    private ImmutableArray<string> Strings(JsonElement array, string path)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                builder.Add(item.GetString()!);
            }
            else
            {
                Error($"{path}[{index}]: expected a string, found {Describe(item.ValueKind)}");
            }

            index++;
        }

        return builder.ToImmutable();
    }

    private void RejectUnknown(JsonElement obj, string path, string[] known)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                Error($"{path}: unknown field '{property.Name}'");
            }
        }
    }

    private void Error(string message) => errors.Add(Diagnostic.Error(file, message));

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
