using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;
using Fleet.Providers.Physical.Planning;

namespace Fleet.Benchmarks.Apply;

/// <summary>
/// The executor's own cost per change: the dependency-graph walk with per-site bounds and progress
/// events, over 2,000 installs in 4 sites (every 10th depending on the one before), with a
/// dispatcher that does no work. Everything else an apply spends per job is database and provider time.
/// </summary>
[MemoryDiagnoser]
public class ExecutorBenchmarks
{
    private ImmutableArray<PlannedChange> changes;

    [Params(2000)]
    public int Changes { get; set; }

    [GlobalSetup]
    public void Setup() => changes = [.. Enumerable.Range(1, Changes).Select(i => new PlannedChange
    {
        Id = $"{i}",
        Address = $"pool/p{i % 20}",
        Provider = "physical",
        Action = PhysicalActions.Install,
        Reason = "grow",
        Machine = $"SN{i}",
        Site = $"s{i % 4}",
        DependsOn = i % 10 == 0 ? [$"{i - 1}"] : [],
    })];

    [Benchmark]
    public async Task<int> WalkWithParallelism100()
    {
        var report = await new Executor(new NoWork(), ExecutorOptions.WithParallelism(100), TimeProvider.System)
            .ExecuteAsync(changes, new Discard(), CancellationToken.None);
        return report.Succeeded;
    }

    private sealed class NoWork : IChangeDispatcher
    {
        public Task<ChangeOutcome> DispatchAsync(PlannedChange change, IExecutionObserver observer, CancellationToken cancellationToken) =>
            Task.FromResult(ChangeOutcome.Success(change.Id, 1));
    }

    private sealed class Discard : IExecutionObserver
    {
        public void OnEvent(ExecutionEvent executionEvent)
        {
        }
    }
}
