using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Execution;
using Fleetctl.Apply;

namespace Fleetctl.Commands;

/// <summary><c>fleetctl history [--limit N] [--format text|json]</c>: every apply, newest first.</summary>
public static class HistoryCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(GlobalOptions global, CliHost host)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many applies, newest first.", DefaultValueFactory = _ => 20 };
        var format = InventoryCommand.FormatOption("text", "text", "json");
        var command = new Command("history", "Show past applies: who, which commit and plan, when, how they ended.") { limit, format };
        command.SetAction(async (parse, ct) =>
        {
            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var records = await database.ApplyHistory.ListAsync(Math.Max(1, parse.GetValue(limit)), ct);
                if (parse.GetValue(format) == "json")
                {
                    await host.Out.WriteLineAsync(new JsonArray([.. records.Select(r => (JsonNode)ToJson(r))]).ToJsonString(Indented));
                }
                else if (records.Count == 0)
                {
                    await host.Out.WriteLineAsync("No applies yet.");
                }
                else
                {
                    await Table.WriteAsync(host.Out, ["ID", "RESULT", "USER", "HOST", "COMMIT", "STARTED", "DURATION", "COUNTS"], [.. records.Select(Row)]);
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static JsonObject ToJson(ApplyRecord r) => new()
    {
        ["id"] = r.Id,
        ["user"] = r.User,
        ["host"] = r.Host,
        ["commit"] = r.Commit,
        ["planChecksum"] = r.PlanChecksum,
        ["startedAt"] = r.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["endedAt"] = r.EndedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["result"] = r.Result,
        ["counts"] = new JsonObject(r.Counts.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value))),
    };

    private static string[] Row(ApplyRecord r) =>
    [
        r.Id, r.Result, r.User, r.Host, r.Commit is null ? "-" : r.Commit[..Math.Min(12, r.Commit.Length)],
        r.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        r.EndedAt is { } end ? string.Create(CultureInfo.InvariantCulture, $"{(end - r.StartedAt).TotalSeconds:0.0}s") : "-",
        string.Join(" ", r.Counts.Where(c => c.Value > 0).Select(c => $"{c.Key}={c.Value}")),
    ];
}
