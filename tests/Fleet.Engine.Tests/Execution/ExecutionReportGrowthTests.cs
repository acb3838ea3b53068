using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Fleet.Engine.Execution;

namespace Fleet.Engine.Tests.Execution;

/// <summary>
/// What apply does once its last job finished (every planned change's result looked up, the counts)
/// grows linearly with the changes: ten times the changes may cost at most about fifteen times as long.
/// The only test that times anything; it compares two sizes in one process, not a wall-clock bound.
/// </summary>
public sealed class ExecutionReportGrowthTests
{
    [Fact]
    public void The_step_after_the_last_job_grows_linearly_with_the_changes()
    {
        static TimeSpan Tail(int changes)
        {
            var ids = Enumerable.Range(1, changes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            var report = new ExecutionReport([.. ids.Select(id => ChangeOutcome.Success(id, 1))]);
            // Repeated, so that the smaller size takes long enough to time.
            var watch = Stopwatch.StartNew();
            for (var round = 0; round < 20; round++)
            {
                var failed = ids.Count(id => report[id].Status != OutcomeStatus.Succeeded);
                _ = (report.Succeeded, report.Failed, report.Skipped, report.AllSucceeded, failed);
            }

            return watch.Elapsed;
        }

        _ = Tail(2_000); // JIT and warm-up
        var small = Enumerable.Range(0, 5).Min(_ => Tail(2_000));
        var large = Enumerable.Range(0, 5).Min(_ => Tail(20_000));

        var ratio = large.TotalMilliseconds / small.TotalMilliseconds;
        Assert.True(ratio < 15 && ratio > 0, $"2,000 changes took {small.TotalMilliseconds:F2} ms, 20,000 took {large.TotalMilliseconds:F2} ms: {ratio:F1}× for 10× the changes");
    }

    [Fact]
    public void A_result_is_found_by_its_change_id_and_a_missing_one_is_named()
    {
        var report = new ExecutionReport([ChangeOutcome.Success("1", 1), ChangeOutcome.Failure("2", 3, "boom")]);

        Assert.Equal(OutcomeStatus.Failed, report["2"].Status);
        Assert.Contains("change 3", Assert.Throws<KeyNotFoundException>(() => report["3"]).Message, StringComparison.Ordinal);
    }
}
