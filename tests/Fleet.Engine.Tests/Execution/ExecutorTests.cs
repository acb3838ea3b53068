using System.Collections.Concurrent;
using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;
using Fleet.Engine.Tests.Planning;

namespace Fleet.Engine.Tests.Execution;

public class ExecutorTests
{
    [Fact]
    public async Task Runs_a_change_only_after_everything_it_depends_on_succeeded()
    {
        var changes = new[]
        {
            Change("3", dependsOn: ["1", "2"]),
            Change("1"),
            Change("2", dependsOn: ["1"]),
            Change("4", dependsOn: ["3"]),
        };
        var dispatcher = new ScriptedDispatcher();

        var report = await Run(changes, dispatcher, new ExecutorOptions(PerSite: 4, Global: 4));

        Assert.True(report.AllSucceeded);
        Assert.Equal(["1", "2", "3", "4"], dispatcher.Finished);
    }

    [Fact]
    public async Task Skips_every_transitive_dependent_of_a_failed_change_and_says_why()
    {
        var changes = new[]
        {
            Change("1"),
            Change("2", dependsOn: ["1"]),
            Change("3", dependsOn: ["2"]),
            Change("4"),
        };
        var dispatcher = new ScriptedDispatcher { Failing = ["1"] };
        var observer = new RecordingObserver();

        var report = await new Executor(dispatcher, ExecutorOptions.Default, TimeProvider.System).ExecuteAsync(changes, observer, CancellationToken.None);

        Assert.Equal(OutcomeStatus.Failed, report["1"].Status);
        Assert.Equal(OutcomeStatus.Skipped, report["2"].Status);
        Assert.Equal(OutcomeStatus.Skipped, report["3"].Status);
        Assert.Equal(OutcomeStatus.Succeeded, report["4"].Status);
        Assert.Contains("change 1 (pool/p) failed", report["2"].Error, StringComparison.Ordinal);
        Assert.Contains("change 2 (pool/p) was skipped", report["3"].Error, StringComparison.Ordinal);
        Assert.DoesNotContain("2", dispatcher.Started);
        Assert.Equal(2, observer.Events.Count(e => e.Kind == ExecutionEventKind.Skipped));
        Assert.Equal((1, 1, 2), (report.Succeeded, report.Failed, report.Skipped));
    }

    [Fact]
    public async Task Never_runs_more_than_the_per_site_bound_of_one_site_at_once()
    {
        // Holds long enough that the bound is reached even on a loaded machine.
        var changes = Enumerable.Range(1, 12).Select(i => Change($"{i}", site: i % 2 == 0 ? "lon" : "sto")).ToArray();
        var dispatcher = new ScriptedDispatcher { Hold = TimeSpan.FromMilliseconds(150) };

        var report = await Run(changes, dispatcher, new ExecutorOptions(PerSite: 3, Global: 100));

        Assert.True(report.AllSucceeded);
        Assert.Equal(3, dispatcher.MaxConcurrent["lon"]);
        Assert.Equal(3, dispatcher.MaxConcurrent["sto"]);
        Assert.Equal(6, dispatcher.MaxConcurrentOverall);
    }

    [Fact]
    public async Task Never_runs_more_than_the_global_bound_across_sites()
    {
        var changes = Enumerable.Range(1, 12).Select(i => Change($"{i}", site: $"s{i % 3}")).ToArray();
        var dispatcher = new ScriptedDispatcher { Hold = TimeSpan.FromMilliseconds(150) };

        await Run(changes, dispatcher, new ExecutorOptions(PerSite: 10, Global: 4));

        Assert.Equal(4, dispatcher.MaxConcurrentOverall);
        Assert.Equal(3, dispatcher.MaxConcurrent.Count);
    }

    [Fact]
    public async Task Shares_the_bounds_fairly_between_sites()
    {
        // 10 lon changes come first in plan order; sto must not wait for all of them.
        var changes = Enumerable.Range(1, 10).Select(i => Change($"l{i}", site: "lon"))
            .Concat(Enumerable.Range(1, 2).Select(i => Change($"s{i}", site: "sto"))).ToArray();
        var dispatcher = new ScriptedDispatcher { Hold = TimeSpan.FromMilliseconds(5) };

        await Run(changes, dispatcher, new ExecutorOptions(PerSite: 10, Global: 2));

        Assert.Contains("s1", dispatcher.Started.Take(3));
    }

    [Fact]
    public async Task Refuses_a_cycle_a_dangling_dependency_and_a_duplicate_id_before_running_anything()
    {
        var changes = new[]
        {
            Change("1", dependsOn: ["9"]),
            Change("2"),
            Change("2"),
        };
        var dispatcher = new ScriptedDispatcher();

        var error = await Assert.ThrowsAsync<FleetException>(() => Run(changes, dispatcher, ExecutorOptions.Default));

        Assert.Contains(error.Diagnostics, d => d.Message.Contains("change 2 (pool/p) appears more than once", StringComparison.Ordinal));
        var dangling = await Assert.ThrowsAsync<FleetException>(() => Run([Change("1", dependsOn: ["9"]), Change("2", dependsOn: ["8"])], dispatcher, ExecutorOptions.Default));
        Assert.Equal(2, dangling.Diagnostics.Length);
        Assert.Contains(dangling.Diagnostics, d => d.Message.Contains("depends on change 9, which is not in the plan", StringComparison.Ordinal));
        var cycle = await Assert.ThrowsAsync<FleetException>(() => Run([Change("a", dependsOn: ["b"]), Change("b", dependsOn: ["a"])], dispatcher, ExecutorOptions.Default));
        Assert.Contains("cycle: a -> b -> a", cycle.Message, StringComparison.Ordinal);
        Assert.Empty(dispatcher.Started);
    }

    [Fact]
    public async Task Reports_start_and_end_of_every_change_in_order()
    {
        var observer = new RecordingObserver();
        await new Executor(new ScriptedDispatcher(), ExecutorOptions.Default, TimeProvider.System)
            .ExecuteAsync([Change("1"), Change("2", dependsOn: ["1"])], observer, CancellationToken.None);

        Assert.Equal(
            ["started 1", "succeeded 1", "started 2", "succeeded 2"],
            observer.Events.Select(e => $"{e.Kind.ToWire()} {e.ChangeId}"));
    }

    private static Task<ExecutionReport> Run(IEnumerable<PlannedChange> changes, IChangeDispatcher dispatcher, ExecutorOptions options) =>
        new Executor(dispatcher, options, TimeProvider.System).ExecuteAsync(changes, new RecordingObserver(), CancellationToken.None);

    internal static PlannedChange Change(string id, string[]? dependsOn = null, string? site = null) => new()
    {
        Id = id,
        Address = "pool/p",
        Provider = "physical",
        Action = TestActions.Install,
        Reason = "grow",
        Site = site,
        Machine = $"M{id}",
        DependsOn = [.. dependsOn ?? []],
    };

    internal sealed class RecordingObserver : IExecutionObserver
    {
        private readonly ConcurrentQueue<ExecutionEvent> events = new();

        public IReadOnlyList<ExecutionEvent> Events => [.. events];

        public void OnEvent(ExecutionEvent executionEvent) => events.Enqueue(executionEvent);
    }

    /// <summary>A provider stand-in: records order and concurrency, fails the changes it is told to.</summary>
    private sealed class ScriptedDispatcher : IChangeDispatcher
    {
        private readonly Lock gate = new();
        private readonly Dictionary<string, int> current = [];
        private int overall;

        public ImmutableHashSet<string> Failing { get; init; } = [];

        public TimeSpan Hold { get; init; } = TimeSpan.Zero;

        public List<string> Started { get; } = [];

        public List<string> Finished { get; } = [];

        public Dictionary<string, int> MaxConcurrent { get; } = [];

        public int MaxConcurrentOverall { get; private set; }

        public async Task<ChangeOutcome> DispatchAsync(PlannedChange change, IExecutionObserver observer, CancellationToken cancellationToken)
        {
            var site = change.Site ?? "";
            lock (gate)
            {
                Started.Add(change.Id);
                current[site] = current.GetValueOrDefault(site) + 1;
                MaxConcurrent[site] = Math.Max(MaxConcurrent.GetValueOrDefault(site), current[site]);
                MaxConcurrentOverall = Math.Max(MaxConcurrentOverall, ++overall);
            }

            await Task.Delay(Hold, cancellationToken);
            lock (gate)
            {
                current[site]--;
                overall--;
                Finished.Add(change.Id);
            }

            return Failing.Contains(change.Id) ? ChangeOutcome.Failure(change.Id, 1, "boom") : ChangeOutcome.Success(change.Id, 1);
        }
    }
}
