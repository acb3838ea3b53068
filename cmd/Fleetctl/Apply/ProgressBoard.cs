using System.Globalization;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleetctl.Apply;

/// <summary>
/// The state behind the live display. Execution events only update counters under a lock (many
/// changes report at once, and 2,000 of them must cost nothing); <see cref="Render"/> draws a frame
/// from them a few times a second. Failures, replacements and skips are also handed out once, by
/// <see cref="TakeLines"/>, as lines printed above the display so they stay on screen after it ends.
/// </summary>
internal sealed class ProgressBoard : IExecutionObserver
{
    /// <summary>Pools shown one per row; beyond this many the busiest are shown and the rest summed in one row.</summary>
    public const int PoolRows = 6;

    /// <summary>Running changes listed by name (the longest-running first); the rest are counted.</summary>
    public const int RunningRows = 5;

    /// <summary>The latest retries listed with their error; all of them are counted.</summary>
    public const int RetryRows = 3;

    private const int BarWidth = 30;

    private readonly Lock gate = new();
    private readonly TimeProvider clock;
    private readonly DateTimeOffset startedAt;
    private readonly int total;
    private readonly Dictionary<string, Tally> pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningChange> running = new(StringComparer.Ordinal);
    private readonly Queue<ExecutionEvent> recentRetries = new();
    private readonly List<ExecutionEvent> pendingLines = [];
    private int succeeded;
    private int failed;
    private int skipped;
    private int retries;
    private int replaced;

    public ProgressBoard(IReadOnlyCollection<PlannedChange> changes, TimeProvider clock)
    {
        this.clock = clock;
        startedAt = clock.GetUtcNow();
        total = changes.Count;
        foreach (var change in changes)
        {
            TallyOf(change.Address).Total++;
        }
    }

    public void OnEvent(ExecutionEvent e)
    {
        lock (gate)
        {
            switch (e.Kind)
            {
                case ExecutionEventKind.Started:
                    running[e.ChangeId] = new RunningChange(e.Action, e.Address, e.Machine, e.Attempt, e.At);
                    TallyOf(e.Address).Running++;
                    break;
                case ExecutionEventKind.Retrying:
                    retries++;
                    Update(e, e.Attempt);
                    recentRetries.Enqueue(e);
                    if (recentRetries.Count > RetryRows)
                    {
                        recentRetries.Dequeue();
                    }

                    break;
                case ExecutionEventKind.Replaced:
                    replaced++;
                    Update(e, attempt: 1);
                    pendingLines.Add(e);
                    break;
                case ExecutionEventKind.Succeeded:
                    succeeded++;
                    Finish(e).Succeeded++;
                    break;
                case ExecutionEventKind.Failed:
                    failed++;
                    Finish(e).Failed++;
                    pendingLines.Add(e);
                    break;
                case ExecutionEventKind.Skipped:
                    skipped++;
                    TallyOf(e.Address).Skipped++;
                    pendingLines.Add(e);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(e), e.Kind, null);
            }
        }
    }

    /// <summary>The lines to print above the display since the last call: failures (with their error), replacements, skips.</summary>
    public IReadOnlyList<(string Text, ConsoleColor Colour)> TakeLines()
    {
        lock (gate)
        {
            var lines = pendingLines.Select(ProgressPrinter.Describe).ToList();
            pendingLines.Clear();
            return lines;
        }
    }

    /// <summary>One frame, no wider than <paramref name="width"/> columns: long names and errors are cut, never wrapped.</summary>
    public IRenderable Render(int width)
    {
        lock (gate)
        {
            var lines = new List<Line>();
            var done = succeeded + failed + skipped;
            var elapsed = clock.GetUtcNow() - startedAt;
            lines.Add(new Line()
                .Add(string.Create(CultureInfo.InvariantCulture, $"Applying {total:N0} changes "), "bold")
                .Bar(succeeded, failed + skipped, total, BarWidth)
                .Add(string.Create(CultureInfo.InvariantCulture, $" {done:N0}/{total:N0} {Percent(done, total)}% {elapsed:hh\\:mm\\:ss}")));
            var counts = new Line()
                .Add(string.Create(CultureInfo.InvariantCulture, $"✓ {succeeded:N0} succeeded"), "green")
                .Add("  ")
                .Add(string.Create(CultureInfo.InvariantCulture, $"✗ {failed:N0} failed"), failed > 0 ? "red" : "grey")
                .Add("  ")
                .Add(string.Create(CultureInfo.InvariantCulture, $"- {skipped:N0} skipped"), "grey")
                .Add("  ")
                .Add(string.Create(CultureInfo.InvariantCulture, $"… {running.Count:N0} running"), "cyan");
            if (retries > 0)
            {
                counts.Add("  ").Add(string.Create(CultureInfo.InvariantCulture, $"↻ {retries:N0} retries"), "yellow");
            }

            if (replaced > 0)
            {
                counts.Add("  ").Add(string.Create(CultureInfo.InvariantCulture, $"⇄ {replaced:N0} replaced"), "yellow");
            }

            lines.Add(counts);
            AddPools(lines);
            AddRunning(lines);
            AddRetries(lines);
            return new Rows(lines.Select(l => l.ToMarkup(width)));
        }
    }

    private void AddPools(List<Line> lines)
    {
        if (pools.Count < 2)
        {
            return;
        }

        var ordered = pools
            .OrderByDescending(p => p.Value.Running)
            .ThenByDescending(p => p.Value.Failed)
            .ThenByDescending(p => p.Value.Remaining)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        var shown = ordered.Count <= PoolRows + 1 ? ordered : ordered.Take(PoolRows).ToList();
        var rest = ordered.Skip(shown.Count).Select(p => p.Value).ToList();
        var labelWidth = Math.Min(32, Math.Max(shown.Max(p => p.Key.Length), rest.Count > 0 ? MoreLabel(rest.Count).Length : 0));
        foreach (var (address, tally) in shown)
        {
            lines.Add(PoolLine(address, tally, labelWidth));
        }

        if (rest.Count > 0)
        {
            var sum = new Tally
            {
                Total = rest.Sum(t => t.Total),
                Succeeded = rest.Sum(t => t.Succeeded),
                Failed = rest.Sum(t => t.Failed),
                Skipped = rest.Sum(t => t.Skipped),
                Running = rest.Sum(t => t.Running),
            };
            lines.Add(PoolLine(MoreLabel(rest.Count), sum, labelWidth));
        }
    }

    private static string MoreLabel(int count) => string.Create(CultureInfo.InvariantCulture, $"… {count:N0} more");

    private static Line PoolLine(string label, Tally tally, int labelWidth)
    {
        var line = new Line()
            .Add("  " + Fit(label, labelWidth).PadRight(labelWidth) + " ")
            .Bar(tally.Succeeded, tally.Failed + tally.Skipped, tally.Total, BarWidth / 2)
            .Add(string.Create(CultureInfo.InvariantCulture, $" {tally.Succeeded + tally.Failed + tally.Skipped:N0}/{tally.Total:N0}"));
        if (tally.Running > 0)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"  … {tally.Running:N0} running"), "cyan");
        }

        if (tally.Failed > 0)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"  ✗ {tally.Failed:N0} failed"), "red");
        }

        return line;
    }

    private void AddRunning(List<Line> lines)
    {
        if (running.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        lines.Add(new Line().Add("Running:", "bold"));
        foreach (var change in running.Values.OrderBy(r => r.Since).ThenBy(r => r.Address, StringComparer.Ordinal).Take(RunningRows))
        {
            var attempt = change.Attempt > 1 ? string.Create(CultureInfo.InvariantCulture, $" attempt {change.Attempt}") : string.Empty;
            lines.Add(new Line()
                .Add(string.Create(CultureInfo.InvariantCulture, $"  {change.Action.ToWire()} {change.Machine ?? change.Address} ({change.Address}){attempt} "))
                .Add(string.Create(CultureInfo.InvariantCulture, $"{now - change.Since:mm\\:ss}"), "grey"));
        }

        if (running.Count > RunningRows)
        {
            lines.Add(new Line().Add(string.Create(CultureInfo.InvariantCulture, $"  … and {running.Count - RunningRows:N0} more"), "grey"));
        }
    }

    private void AddRetries(List<Line> lines)
    {
        if (recentRetries.Count == 0)
        {
            return;
        }

        lines.Add(new Line().Add("Latest retries:", "bold"));
        foreach (var retry in recentRetries)
        {
            lines.Add(new Line().Add("  " + ProgressPrinter.Describe(retry).Text, "yellow"));
        }
    }

    private Tally TallyOf(string address)
    {
        if (!pools.TryGetValue(address, out var tally))
        {
            pools[address] = tally = new Tally();
        }

        return tally;
    }

    private void Update(ExecutionEvent e, int attempt)
    {
        if (running.TryGetValue(e.ChangeId, out var change))
        {
            running[e.ChangeId] = change with { Machine = e.Machine ?? change.Machine, Attempt = attempt };
        }
    }

    private Tally Finish(ExecutionEvent e)
    {
        var tally = TallyOf(e.Address);
        if (running.Remove(e.ChangeId))
        {
            tally.Running--;
        }

        return tally;
    }

    private static int Percent(int done, int total) => total == 0 ? 100 : done * 100 / total;

    private static string Fit(string text, int width) =>
        text.Length <= width ? text : string.Concat(text.AsSpan(0, Math.Max(0, width - 1)), "…");

    private sealed record RunningChange(ChangeAction Action, string Address, string? Machine, int Attempt, DateTimeOffset Since);

    /// <summary>Counts for one pool (or zone): planned, finished each way, running now.</summary>
    private sealed class Tally
    {
        public int Total { get; set; }

        public int Succeeded { get; set; }

        public int Failed { get; set; }

        public int Skipped { get; set; }

        public int Running { get; set; }

        public int Remaining => Total - Succeeded - Failed - Skipped;
    }

    /// <summary>One display line as styled pieces, cut to the terminal's width before it becomes markup.</summary>
    private sealed class Line
    {
        private readonly List<(string Text, string? Style)> pieces = [];

        public Line Add(string text, string? style = null)
        {
            pieces.Add((text, style));
            return this;
        }

        /// <summary>A bar of <paramref name="width"/> cells: succeeded in green, failed or skipped in red, the rest dim.</summary>
        public Line Bar(int good, int bad, int total, int width)
        {
            var goodCells = total == 0 ? width : good * width / total;
            var badCells = total == 0 ? 0 : Math.Min(width - goodCells, (bad * width + total - 1) / total);
            return Add(new string('━', goodCells), "green")
                .Add(new string('━', badCells), "red")
                .Add(new string('─', width - goodCells - badCells), "grey");
        }

        public Markup ToMarkup(int width)
        {
            var markup = new System.Text.StringBuilder();
            var room = width;
            foreach (var (piece, style) in pieces)
            {
                var text = piece.ReplaceLineEndings(" ");
                if (room <= 0 || text.Length == 0)
                {
                    continue;
                }

                var fitted = text.Length <= room ? text : Fit(text, room);
                room -= fitted.Length;
                var escaped = Markup.Escape(fitted);
                markup.Append(style is null ? escaped : $"[{style}]{escaped}[/]");
            }

            return new Markup(markup.ToString());
        }
    }
}
