using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;

namespace Fleetctl.Apply;

/// <summary>
/// How an apply reports to its user: notes before and after, the changes as they run, warnings
/// while they run, and the final summary. <see cref="ProgressPrinter"/> writes plain lines or
/// NDJSON; <see cref="LiveProgress"/> draws a live display on a terminal.
/// </summary>
internal interface IApplyProgress
{
    /// <summary>A line that is not an event (resumed work, warnings, "No changes").</summary>
    void Note(string message);

    /// <summary>
    /// Something the user must see while changes run, at any moment (from another thread): shown
    /// at once, above the live display when there is one, never held until the end.
    /// </summary>
    void Warn(ProgressWarning warning);

    /// <summary>
    /// The latest reading of the jobs external workers run (a few seconds apart): the live display shows
    /// it as a row; lines and NDJSON leave it out (their warnings say what matters).
    /// </summary>
    void Workers(WorkersState state);

    /// <summary>Runs <paramref name="execute"/> with an observer that reports <paramref name="changes"/> as they run.</summary>
    Task<ExecutionReport> TrackAsync(IReadOnlyCollection<PlannedChange> changes, Func<IExecutionObserver, Task<ExecutionReport>> execute);

    /// <summary>The last line(s): counts and the machines given up on.</summary>
    void Summary(ExecutionReport report, string result);
}

/// <summary>
/// A warning while changes run that is no change's event (no worker takes the queued jobs, a worker
/// died holding one). <see cref="Event"/> and <see cref="Fields"/> are the NDJSON event's stable
/// name and fields; <see cref="Message"/> is for people.
/// </summary>
internal sealed record ProgressWarning(string Event, DateTimeOffset At, string Message, ImmutableArray<KeyValuePair<string, JsonNode?>> Fields);
