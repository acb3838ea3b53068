using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Jobs;
using Fleetctl.Rendering;

namespace Fleetctl.Apply;

/// <summary>
/// Jobs as JSON (the fields of the job broker, camelCase) or as an aligned table. In text, a running
/// job whose lease ran out says so: its worker stopped sending heartbeats and the next worker takes it over.
/// </summary>
internal static class JobRenderer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject ToJson(Job job) => new()
    {
        ["id"] = job.Id,
        ["action"] = job.Action,
        ["target"] = job.Target,
        ["site"] = job.Site,
        ["params"] = job.Params.DeepClone(),
        ["status"] = job.Status.ToWire(),
        ["attempts"] = job.Attempts,
        ["nextAttemptAt"] = Time(job.NextAttemptAt),
        ["leaseUntil"] = Time(job.LeaseUntil),
        ["worker"] = job.Worker,
        ["requester"] = job.Requester,
        ["commit"] = job.Commit,
        ["planChecksum"] = job.PlanChecksum,
        ["applyId"] = job.ApplyId,
        ["createdAt"] = Time(job.CreatedAt),
        ["startedAt"] = Time(job.StartedAt),
        ["endedAt"] = Time(job.EndedAt),
        ["error"] = job.Error,
        ["replacementOf"] = job.ReplacementOf,
        ["replacedBy"] = job.ReplacedBy,
    };

    public static Task WriteJsonAsync(TextWriter output, Job job) =>
        output.WriteLineAsync(ToJson(job).ToJsonString(Indented));

    public static Task WriteJsonAsync(TextWriter output, IEnumerable<Job> jobs) =>
        output.WriteLineAsync(new JsonArray([.. jobs.Select(j => (JsonNode)ToJson(j))]).ToJsonString(Indented));

    public static async Task WriteTableAsync(TextWriter output, IReadOnlyList<Job> jobs, DateTimeOffset now)
    {
        if (jobs.Count == 0)
        {
            await output.WriteLineAsync("No jobs.");
            return;
        }

        string[] header = ["ID", "ACTION", "TARGET", "SITE", "STATUS", "ATTEMPTS", "WORKER", "CREATED", "ERROR"];
        var rows = jobs.Select(j => new[]
        {
            j.Id.ToString(CultureInfo.InvariantCulture), j.Action, j.Target, j.Site ?? "-", LeaseExpired(j, now) ? "running (lease expired)" : j.Status.ToWire(),
            j.Attempts.ToString(CultureInfo.InvariantCulture), j.Worker ?? "-", j.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            j.Error is null ? "-" : Shorten(j.Error),
        }).ToList();
        await Table.WriteAsync(output, header, rows);
    }

    public static async Task WriteDetailAsync(TextWriter output, Job job, DateTimeOffset now)
    {
        foreach (var (key, value) in ToJson(job))
        {
            if (key == "status" && LeaseExpired(job, now))
            {
                await output.WriteLineAsync($"{"status:",-15} running, but its lease ran out at {Time(job.LeaseUntil)}: worker {job.Worker} stopped sending heartbeats (died or lost the database); the next worker takes the job over");
            }
            else if (key != "params" && value is not null)
            {
                await output.WriteLineAsync($"{key + ":",-15} {TerminalText.Clean(value.ToString())}");
            }
        }

        await output.WriteLineAsync($"{"params:",-15} {TerminalText.Clean(job.Params.ToJsonString())}");
    }

    private static bool LeaseExpired(Job job, DateTimeOffset now) => job.Status == JobStatus.Running && job.LeaseUntil < now;

    private static string? Time(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}

/// <summary>Left-aligned columns separated by two spaces.</summary>
internal static class Table
{
    public static async Task WriteAsync(TextWriter output, string[] header, IReadOnlyList<string[]> cells)
    {
        // Errors and targets come from installers and remote APIs: never raw to the terminal.
        var rows = cells.Select(row => Array.ConvertAll(row, TerminalText.Clean)).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        await output.WriteLineAsync(Line(header, widths));
        foreach (var row in rows)
        {
            await output.WriteLineAsync(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
