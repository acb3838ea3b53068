using System.Globalization;
using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Planning;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleetctl.Apply;

/// <summary>
/// The state behind the live display. Execution events only update counters under a lock (many
/// changes report at once, and 2,000 of them must cost nothing); <see cref="Render"/> draws a frame
/// from them a few times a second. Failures, replacements, skips and warnings are also handed out
/// once, by <see cref="TakeLines"/>, as lines printed above the display so they stay on screen after it ends.
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

    private static readonly Style Bold = new(decoration: Decoration.Bold);
    private static readonly Style Green = new(Color.Green);
    private static readonly Style Red = new(Color.Red);
    private static readonly Style Grey = new(Color.Grey);
    private static readonly Style Cyan = new(Color.Aqua);
    private static readonly Style Yellow = new(Color.Yellow);

    private readonly Lock gate = new();
    private readonly TimeProvider clock;
    private readonly DateTimeOffset startedAt;
    private readonly int total;
    private readonly Dictionary<string, Tally> pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningChange> running = new(StringComparer.Ordinal);
    private readonly Queue<ExecutionEvent> recentRetries = new();

    /// <summary>What changes under way are called: with external workers a started change may still wait in the queue for one.</summary>
    private readonly string busy;
    private readonly string busyHeader;
    private WorkersState? workers;
    private readonly List<(string Text, ConsoleColor Colour)> pendingLines = [];
    private int succeeded;
    private int failed;
    private int skipped;
    private int retries;
    private int replaced;

    /// <param name="externalWorkers">Changes run as jobs of <c>fleetctl worker</c> processes: a change under way is "in progress" (queued or running), and the workers' row tells which.</param>
    public ProgressBoard(IReadOnlyCollection<PlannedChange> changes, TimeProvider clock, bool externalWorkers = false)
    {
        this.clock = clock;
        (busy, busyHeader) = externalWorkers ? ("in progress", "In progress:") : ("running", "Running:");
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
                    pendingLines.Add(ProgressPrinter.Describe(e));
                    break;
                case ExecutionEventKind.Succeeded:
                    succeeded++;
                    Finish(e).Succeeded++;
                    break;
                case ExecutionEventKind.Failed:
                    failed++;
                    Finish(e).Failed++;
                    pendingLines.Add(ProgressPrinter.Describe(e));
                    break;
                case ExecutionEventKind.Skipped:
                    skipped++;
                    TallyOf(e.Address).Skipped++;
                    pendingLines.Add(ProgressPrinter.Describe(e));
                    break;
                default:
                    // A kind this display does not know yet changes none of its counts.
                    break;
            }
        }
    }

    /// <summary>The latest reading of the jobs external workers run, shown as a row under the counts.</summary>
    public void SetWorkers(WorkersState state)
    {
        lock (gate)
        {
            workers = state;
        }
    }

    /// <summary>A line to print above the display with the next frame (a warning), as failures are.</summary>
    public void AddLine((string Text, ConsoleColor Colour) line)
    {
        lock (gate)
        {
            pendingLines.Add(line);
        }
    }

    /// <summary>The lines to print above the display since the last call: failures (with their error), replacements, skips, warnings.</summary>
    public IReadOnlyList<(string Text, ConsoleColor Colour)> TakeLines()
    {
        lock (gate)
        {
            var lines = pendingLines.ToList();
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
                .Add(string.Create(CultureInfo.InvariantCulture, $"Applying {total:N0} changes "), Bold)
                .Bar(succeeded, failed + skipped, total, BarWidth)
                .Add(string.Create(CultureInfo.InvariantCulture, $" {done:N0}/{total:N0} {Percent(done, total)}% {elapsed:hh\\:mm\\:ss}")));
            var counts = new Line()
                .Add(string.Create(CultureInfo.InvariantCulture, $"✓ {succeeded:N0} succeeded"), Green)
                .Add("  ")
                .Add(string.Create(CultureInfo.InvariantCulture, $"✗ {failed:N0} failed"), failed > 0 ? Red : Grey)
                .Add("  ")
                .Add(string.Create(CultureInfo.InvariantCulture, $"- {skipped:N0} skipped"), Grey)
                .Add("  ")
                .Add(string.Create(CultureInfo.InvariantCulture, $"… {running.Count:N0} {busy}"), Cyan);
            if (retries > 0)
            {
                counts.Add("  ").Add(string.Create(CultureInfo.InvariantCulture, $"↻ {retries:N0} retries"), Yellow);
            }

            if (replaced > 0)
            {
                counts.Add("  ").Add(string.Create(CultureInfo.InvariantCulture, $"⇄ {replaced:N0} replaced"), Yellow);
            }

            lines.Add(counts);
            AddWorkers(lines);
            AddPools(lines);
            AddRunning(lines);
            AddRetries(lines);
            return new Rows(lines.Select(l => l.ToParagraph(width)));
        }
    }

    /// <summary>With external workers: their jobs running, queued and waiting to retry, and how long none has been taken.</summary>
    private void AddWorkers(List<Line> lines)
    {
        if (workers is not { } state)
        {
            return;
        }

        var line = new Line()
            .Add("Workers: ", Bold)
            .Add(string.Create(CultureInfo.InvariantCulture, $"{state.Running:N0} running, {state.Queued:N0} queued"));
        if (state.WaitingToRetry > 0)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $", {state.WaitingToRetry:N0} to retry"));
        }

        if (state.StalledSince is { } since)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"  none taken for {Durations.Format(clock.GetUtcNow() - since)}"), Yellow);
        }

        lines.Add(line);
    }

    private void AddPools(List<Line> lines)
    {
        if (pools.Count < 2)
        {
            return;
        }

        // The busiest few without sorting them all: frames are drawn five times a second over hundreds of pools.
        var limit = pools.Count <= PoolRows + 1 ? pools.Count : PoolRows;
        var shown = new List<Tally>(limit + 1);
        var rest = new Tally(string.Empty);
        foreach (var tally in pools.Values)
        {
            var at = shown.FindIndex(s => Busier(tally, s));
            shown.Insert(at < 0 ? shown.Count : at, tally);
            if (shown.Count > limit)
            {
                rest.Add(shown[^1]);
                shown.RemoveAt(shown.Count - 1);
            }
        }

        var hidden = pools.Count - shown.Count;
        var labelWidth = Math.Min(32, Math.Max(shown.Max(t => t.Address.Length), hidden > 0 ? MoreLabel(hidden).Length : 0));
        foreach (var tally in shown)
        {
            lines.Add(PoolLine(tally.Address, tally, labelWidth, busy));
        }

        if (hidden > 0)
        {
            lines.Add(PoolLine(MoreLabel(hidden), rest, labelWidth, busy));
        }
    }

    /// <summary>Most running first, then most failed, then most left to do, then by name.</summary>
    private static bool Busier(Tally a, Tally b) =>
        a.Running != b.Running ? a.Running > b.Running
        : a.Failed != b.Failed ? a.Failed > b.Failed
        : a.Remaining != b.Remaining ? a.Remaining > b.Remaining
        : string.CompareOrdinal(a.Address, b.Address) < 0;

    private static string MoreLabel(int count) => string.Create(CultureInfo.InvariantCulture, $"… {count:N0} more");

    private static Line PoolLine(string label, Tally tally, int labelWidth, string busy)
    {
        var line = new Line()
            .Add("  " + Fit(label, labelWidth).PadRight(labelWidth) + " ")
            .Bar(tally.Succeeded, tally.Failed + tally.Skipped, tally.Total, BarWidth / 2)
            .Add(string.Create(CultureInfo.InvariantCulture, $" {tally.Succeeded + tally.Failed + tally.Skipped:N0}/{tally.Total:N0}"));
        if (tally.Running > 0)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"  … {tally.Running:N0} {busy}"), Cyan);
        }

        if (tally.Failed > 0)
        {
            line.Add(string.Create(CultureInfo.InvariantCulture, $"  ✗ {tally.Failed:N0} failed"), Red);
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
        lines.Add(new Line().Add(busyHeader, Bold));
        foreach (var change in running.Values.OrderBy(r => r.Since).ThenBy(r => r.Address, StringComparer.Ordinal).Take(RunningRows))
        {
            var attempt = change.Attempt > 1 ? string.Create(CultureInfo.InvariantCulture, $" attempt {change.Attempt}") : string.Empty;
            lines.Add(new Line()
                .Add(string.Create(CultureInfo.InvariantCulture, $"  {change.Action} {change.Machine ?? change.Address} ({change.Address}){attempt} "))
                .Add(string.Create(CultureInfo.InvariantCulture, $"{now - change.Since:mm\\:ss}"), Grey));
        }

        if (running.Count > RunningRows)
        {
            lines.Add(new Line().Add(string.Create(CultureInfo.InvariantCulture, $"  … and {running.Count - RunningRows:N0} more"), Grey));
        }
    }

    private void AddRetries(List<Line> lines)
    {
        if (recentRetries.Count == 0)
        {
            return;
        }

        lines.Add(new Line().Add("Latest retries:", Bold));
        foreach (var retry in recentRetries)
        {
            lines.Add(new Line().Add("  " + ProgressPrinter.Describe(retry).Text, Yellow));
        }
    }

    private Tally TallyOf(string address)
    {
        if (!pools.TryGetValue(address, out var tally))
        {
            pools[address] = tally = new Tally(address);
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
    private sealed class Tally(string address)
    {
        public string Address { get; } = address;

        public int Total { get; set; }

        public int Succeeded { get; set; }

        public int Failed { get; set; }

        public int Skipped { get; set; }

        public int Running { get; set; }

        public int Remaining => Total - Succeeded - Failed - Skipped;

        public void Add(Tally other)
        {
            Total += other.Total;
            Succeeded += other.Succeeded;
            Failed += other.Failed;
            Skipped += other.Skipped;
            Running += other.Running;
        }
    }

    /// <summary>One display line as styled pieces, cut to the terminal's width before it becomes markup.</summary>
    private sealed class Line
    {
        private readonly List<(string Text, Style? Style)> pieces = [];

        public Line Add(string text, Style? style = null)
        {
            pieces.Add((text, style));
            return this;
        }

        /// <summary>A bar of <paramref name="width"/> cells: succeeded in green, failed or skipped in red, the rest dim.</summary>
        public Line Bar(int good, int bad, int total, int width)
        {
            var goodCells = total == 0 ? width : good * width / total;
            var badCells = total == 0 ? 0 : Math.Min(width - goodCells, (bad * width + total - 1) / total);
            return Add(new string('━', goodCells), Green)
                .Add(new string('━', badCells), Red)
                .Add(new string('─', width - goodCells - badCells), Grey);
        }

        /// <summary>Styled text as is (no markup to parse: frames are drawn often).</summary>
        public Paragraph ToParagraph(int width)
        {
            var paragraph = new Paragraph();
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
                paragraph.Append(fitted, style);
            }

            return paragraph;
        }
    }
}
