using Fleet.Engine.Planning;

namespace Fleet.Engine.Execution;

/// <summary>
/// Runs one change to its end, retries and replacements included, and says how it ended. The
/// executor decides when a change may run; a dispatcher decides how (in this process, or as a job
/// that a worker elsewhere takes). Throwing is reserved for cancellation and bugs.
/// </summary>
public interface IChangeDispatcher
{
    Task<ChangeOutcome> DispatchAsync(PlannedChange change, IExecutionObserver observer, CancellationToken cancellationToken);
}

/// <summary>Receives progress events; called from many changes at once, so it must be thread-safe.</summary>
public interface IExecutionObserver
{
    void OnEvent(ExecutionEvent executionEvent);
}
