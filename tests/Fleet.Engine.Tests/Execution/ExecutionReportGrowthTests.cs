using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Fleet.Engine.Execution;

namespace Fleet.Engine.Tests.Execution;

/// <summary>
/// What apply does once its last job finished (every planned change's result looked up, the counts)
/// grows linearly with the changes. Per change, 20,000 changes cost about 1.5 times what 2,000 do here
/// (the larger index misses the cache more), so ten times the changes cost about 15 times as long; the
/// scan this replaced costs about 100 times. The bound is 30, so that a busy machine does not fail it.
/// The only test that times anything: two sizes in one process, interleaved, each size's fastest run.
/// </summary>
public sealed class ExecutionReportGrowthTests
{
    [Fact]
    public void The_step_after_the_last_job_grows_linearly_with_the_changes()
    {
        // The time of one pass over every change, from the fastest of enough passes to be timed.
        static double Tail(int changes)
        {
            var ids = Enumerable.Range(1, changes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            var report = new ExecutionReport([.. ids.Select(id => ChangeOutcome.Success(id, 1))]);
            var rounds = Math.Max(1, 40_000 / changes);
            var watch = Stopwatch.StartNew();
            for (var round = 0; round < rounds; round++)
            {
                var failed = ids.Count(id => report[id].Status != OutcomeStatus.Succeeded);
                _ = (report.Succeeded, report.Failed, report.Skipped, report.AllSucceeded, failed);
            }

            return watch.Elapsed.TotalMilliseconds / rounds;
        }

        // Warm-up of both sizes, so that every run measured is of fully optimised code.
        for (var warm = 0; warm < 3; warm++)
        {
            _ = (Tail(2_000), Tail(20_000));
        }

        var (small, large) = (double.MaxValue, double.MaxValue);
        for (var run = 0; run < 9; run++)
        {
            small = Math.Min(small, Tail(2_000));
            large = Math.Min(large, Tail(20_000));
        }

        var ratio = large / small;
        Assert.True(ratio < 30 && ratio > 0, $"a pass over 2,000 changes took {small:F3} ms, over 20,000 {large:F3} ms: {ratio:F1}× for 10× the changes");
    }

    [Fact]
    public void A_result_is_found_by_its_change_id_and_a_missing_one_is_named()
    {
        var report = new ExecutionReport([ChangeOutcome.Success("1", 1), ChangeOutcome.Failure("2", 3, "boom")]);

        Assert.Equal(OutcomeStatus.Failed, report["2"].Status);
        Assert.Contains("change 3", Assert.Throws<KeyNotFoundException>(() => report["3"]).Message, StringComparison.Ordinal);
    }
}
