using Fleet.Engine.Execution;
using Fleet.Engine.Planning;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleetctl.Apply;

/// <summary>
/// Apply progress on a terminal: a live display (overall bar and counts, the busiest pools, running
/// changes, latest retries, elapsed time) redrawn at a bounded rate however many events arrive, with
/// failures, replacements, skips and warnings printed above it as they happen so they outlive it.
/// Notes and the summary are the plain lines of <see cref="ProgressPrinter"/>, written before and
/// after the display; what jobs write to <paramref name="errors"/> meanwhile is held until the
/// display ends (a warning is not: it goes above the display with the next frame).
/// </summary>
internal sealed class LiveProgress(IAnsiConsole console, TimeProvider clock, ProgressPrinter lines, HeldWriter errors, bool externalWorkers = false) : IApplyProgress
{
    private readonly Lock gate = new();

    /// <summary>The board of the display being drawn; null before and after it.</summary>
    private ProgressBoard? shown;

    /// <summary>Five frames a second: smooth enough to watch, and a frame costs the same at 20 or 2,000 running changes.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A console that draws on <paramref name="output"/> with cursor movement, in colour only when <paramref name="color"/>.</summary>
    public static IAnsiConsole ConsoleFor(TextWriter output, bool color) =>
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });

    public void Note(string message) => lines.Note(message);

    public void Warn(ProgressWarning warning)
    {
        lock (gate)
        {
            if (shown is not null)
            {
                shown.AddLine(ProgressPrinter.Describe(warning));
                return;
            }
        }

        lines.Warn(warning);
    }

    public void Workers(WorkersState state)
    {
        lock (gate)
        {
            shown?.SetWorkers(state);
        }
    }

    public void Summary(ExecutionReport report, string result) => lines.Summary(report, result);

    /// <summary>
    /// Shows the display while <paramref name="execute"/> runs. However the run ends (done, failed,
    /// cancelled with Ctrl+C) the cursor is shown again and the last frame stays on screen before
    /// this returns or rethrows.
    /// </summary>
    public async Task<ExecutionReport> TrackAsync(IReadOnlyCollection<PlannedChange> changes, Func<IExecutionObserver, Task<ExecutionReport>> execute)
    {
        var board = new ProgressBoard(changes, clock, externalWorkers);
        using var stop = new CancellationTokenSource();
        var display = new LiveDisplay(console, board.Render(console.Profile.Width))
        {
            // Cleared at the end and drawn once more as ordinary output: a live region keeps the height
            // of its tallest frame, which would leave blank lines behind a shorter last frame.
            AutoClear = true,
            Overflow = VerticalOverflow.Ellipsis,
            Cropping = VerticalOverflowCropping.Bottom,
        };
        errors.Hold();
        lock (gate)
        {
            shown = board;
        }

        var drawing = display.StartAsync(context => RefreshAsync(context, board, stop.Token));
        try
        {
            return await execute(board);
        }
        finally
        {
            await stop.CancelAsync();
            await drawing;
            lock (gate)
            {
                shown = null;
            }

            // Lines that came after the last frame (a warning just then) are written before the display's last frame.
            WriteLines(board);
            console.Write(board.Render(console.Profile.Width));
            console.WriteLine();
            errors.Release();
        }
    }

    private async Task RefreshAsync(LiveDisplayContext context, ProgressBoard board, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Draw(context, board);
            try
            {
                await Task.Delay(RefreshInterval, clock, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopped: the last frame is drawn below.
            }
        }

        Draw(context, board);
    }

    /// <summary>Lines that must stay go above the display in one write, then the frame is redrawn once.</summary>
    private void Draw(LiveDisplayContext context, ProgressBoard board)
    {
        WriteLines(board);
        context.UpdateTarget(board.Render(console.Profile.Width));
    }

    private void WriteLines(ProgressBoard board)
    {
        var taken = board.TakeLines();
        if (taken.Count > 0)
        {
            console.Write(new LinesAbove(new Rows(taken.Select(l => new Text(l.Text, new Style(Color.FromConsoleColor(l.Colour)))))));
        }
    }

    /// <summary>
    /// Lines written where the display was: the display's old frame is erased first (the lines may be
    /// shorter than what they overwrite), and the display is redrawn below them.
    /// </summary>
    private sealed class LinesAbove(IRenderable lines) : Renderable
    {
        private const string EraseToEndOfScreen = "\u001b[J";

        protected override IEnumerable<Segment> Render(RenderOptions options, int maxWidth) =>
            lines.Render(options, maxWidth).Prepend(Segment.Control(EraseToEndOfScreen));
    }
}
