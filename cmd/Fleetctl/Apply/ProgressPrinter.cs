using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;
using Fleetctl.Rendering;

namespace Fleetctl.Apply;

/// <summary>
/// Apply progress as it happens: one plain line per event (coloured on a terminal), or one JSON
/// object per line with <c>--format json</c> (NDJSON, fields as in <see cref="ExecutionEvent"/>).
/// Events arrive from many changes at once; writes are serialised. This is what apply writes when
/// its output is not a terminal (pipes, CI logs) and with <c>--format json</c>.
/// </summary>
internal sealed class ProgressPrinter(TextWriter output, bool json, bool color) : IApplyProgress, IExecutionObserver
{
    private readonly Lock gate = new();

    public void OnEvent(ExecutionEvent e)
    {
        var line = json ? Json(e) : Text(e);
        lock (gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public Task<ExecutionReport> TrackAsync(IReadOnlyCollection<PlannedChange> changes, Func<IExecutionObserver, Task<ExecutionReport>> execute) =>
        execute(this);

    /// <summary>A line that is not an event: a note in text, <c>{"event":"note",…}</c> in JSON.</summary>
    public void Note(string message)
    {
        var line = json ? JsonSerializer.Serialize(new { @event = "note", message }) : TerminalText.Clean(message);
        lock (gate)
        {
            output.WriteLine(line);
        }
    }

    /// <summary>A warning while changes run: <c>note: …</c> in yellow, or its NDJSON event.</summary>
    public void Warn(ProgressWarning warning)
    {
        string line;
        if (json)
        {
            var fields = new JsonObject
            {
                ["event"] = warning.Event,
                ["at"] = warning.At.ToString("O", CultureInfo.InvariantCulture),
                ["message"] = warning.Message,
            };
            foreach (var (key, value) in warning.Fields)
            {
                fields[key] = value?.DeepClone();
            }

            line = fields.ToJsonString();
        }
        else
        {
            var (text, colour) = Describe(warning);
            line = Colour(text, colour);
        }

        lock (gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public void Workers(WorkersState state)
    {
        // A line every few seconds would drown the events in a log; the warnings say when workers are missing.
    }

    public void Summary(ExecutionReport report, string result)
    {
        var broken = report.Results.SelectMany(r => r.BrokenMachines).ToList();
        var line = json
            ? JsonSerializer.Serialize(new { @event = "summary", result, succeeded = report.Succeeded, failed = report.Failed, skipped = report.Skipped, broken })
            : string.Create(CultureInfo.InvariantCulture,
                $"Apply {(report.AllSucceeded ? "complete" : "failed")}: {report.Succeeded} succeeded, {report.Failed} failed, {report.Skipped} skipped.{Broken(broken)}");
        lock (gate)
        {
            output.WriteLine(line);
        }
    }

    private static string Broken(List<string> broken) =>
        broken.Count switch
        {
            0 => string.Empty,
            <= 10 => string.Create(CultureInfo.InvariantCulture, $" {broken.Count} machines broken and replaced: {string.Join(", ", broken)}."),
            _ => string.Create(CultureInfo.InvariantCulture, $" {broken.Count} machines broken and replaced: {string.Join(", ", broken.Take(10))} and {broken.Count - 10} more (fleetctl inventory list --state broken)."),
        };

    /// <summary>An event as one line of text and the colour it is shown in; the live display prints the same lines.</summary>
    internal static (string Text, ConsoleColor Colour) Describe(ExecutionEvent e)
    {
        var what = e.Kind == ExecutionEventKind.Replaced ? $"{e.Action} ({e.Address})" : $"{e.Action} {e.Machine ?? e.Address}";
        var (mark, colour, detail) = e.Kind switch
        {
            ExecutionEventKind.Started => ("…", ConsoleColor.Cyan, $"({e.Address}) started"),
            ExecutionEventKind.Succeeded => ("✓", ConsoleColor.Green, string.Create(CultureInfo.InvariantCulture, $"({e.Address}) done{(e.Attempt > 1 ? $" after {e.Attempt} attempts" : string.Empty)}")),
            ExecutionEventKind.Retrying => ("↻", ConsoleColor.Yellow, e.Message ?? string.Empty),
            ExecutionEventKind.Replaced => ("⇄", ConsoleColor.Yellow, e.Message ?? string.Empty),
            ExecutionEventKind.Failed => ("✗", ConsoleColor.Red, $"({e.Address}) failed: {e.Message}"),
            _ => ("-", ConsoleColor.DarkGray, e.Message ?? "skipped"),
        };
        // Messages come from installers, BMCs and remote APIs: never raw to the terminal.
        return (TerminalText.Clean($"{mark} {what} {detail}"), colour);
    }

    /// <summary>A warning as one line of text and its colour; the live display prints the same line above itself.</summary>
    internal static (string Text, ConsoleColor Colour) Describe(ProgressWarning warning) => (TerminalText.Clean($"note: {warning.Message}"), ConsoleColor.Yellow);

    private string Text(ExecutionEvent e)
    {
        var (text, colour) = Describe(e);
        return Colour(text, colour);
    }

    private string Colour(string text, ConsoleColor colour)
    {
        var code = colour switch
        {
            ConsoleColor.Cyan => "36",
            ConsoleColor.Green => "32",
            ConsoleColor.Yellow => "33",
            ConsoleColor.Red => "31",
            _ => "90",
        };
        return color ? $"\u001b[{code}m{text}\u001b[0m" : text;
    }

    private static string Json(ExecutionEvent e) => JsonSerializer.Serialize(new
    {
        @event = e.Kind.ToWire(),
        at = e.At.ToString("O", CultureInfo.InvariantCulture),
        change = e.ChangeId,
        address = e.Address,
        action = e.Action.Name,
        machine = e.Machine,
        site = e.Site,
        attempt = e.Attempt,
        message = e.Message,
    });
}
