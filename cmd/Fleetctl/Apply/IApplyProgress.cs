using Fleet.Engine.Execution;
using Fleet.Engine.Planning;

namespace Fleetctl.Apply;

/// <summary>
/// How an apply reports to its user: notes before and after, the changes as they run, and the final
/// summary. <see cref="ProgressPrinter"/> writes plain lines or NDJSON; <see cref="LiveProgress"/>
/// draws a live display on a terminal.
/// </summary>
internal interface IApplyProgress
{
    /// <summary>A line that is not an event (resumed work, warnings, "No changes").</summary>
    void Note(string message);

    /// <summary>Runs <paramref name="execute"/> with an observer that reports <paramref name="changes"/> as they run.</summary>
    Task<ExecutionReport> TrackAsync(IReadOnlyCollection<PlannedChange> changes, Func<IExecutionObserver, Task<ExecutionReport>> execute);

    /// <summary>The last line(s): counts and the machines given up on.</summary>
    void Summary(ExecutionReport report, string result);
}
