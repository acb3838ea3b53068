using System.Collections.Immutable;
using System.Threading.Channels;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Execution;

/// <summary>
/// Walks a plan's dependency graph (Terraform's graph walk): a change starts only once every change it
/// depends on succeeded; a change whose dependency failed or was skipped is skipped and reported.
/// Ready changes start in plan order, round-robin across sites, within the per-site and global bounds.
/// </summary>
public sealed class Executor(IChangeDispatcher dispatcher, ExecutorOptions options, TimeProvider clock)
{
    public async Task<ExecutionReport> ExecuteAsync(IEnumerable<PlannedChange> changes, IExecutionObserver observer, CancellationToken cancellationToken)
    {
        options.Validate();
        var graph = ChangeGraph.Build(changes);
        var walk = new Walk(graph);
        var running = new Dictionary<Task<ChangeOutcome>, PlannedChange>();
        var perSite = new Dictionary<string, int>(StringComparer.Ordinal);

        // Changes report here as they end: waiting on all running tasks at once would cost each
        // completion a continuation on every one of them (with parallelism 100, 100 per change).
        var ended = Channel.CreateUnbounded<Task<ChangeOutcome>>(new UnboundedChannelOptions { SingleReader = true });

        while (true)
        {
            while (!cancellationToken.IsCancellationRequested && running.Count < options.Global
                   && walk.TakeReady(site => perSite.GetValueOrDefault(site) < options.PerSite) is { } change)
            {
                var site = SiteOf(change);
                perSite[site] = perSite.GetValueOrDefault(site) + 1;
                observer.OnEvent(ExecutionEvent.For(ExecutionEventKind.Started, clock.GetUtcNow(), change, attempt: 1));
                var task = RunAsync(change, observer, cancellationToken);
                running.Add(task, change);
                _ = task.ContinueWith(t => ended.Writer.TryWrite(t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            if (running.Count == 0)
            {
                break;
            }

            var finished = await ended.Reader.ReadAsync(CancellationToken.None);
            var done = running[finished];
            running.Remove(finished);
            perSite[SiteOf(done)]--;
            var result = await finished;
            var kind = result.Status == OutcomeStatus.Succeeded ? ExecutionEventKind.Succeeded : ExecutionEventKind.Failed;
            observer.OnEvent(ExecutionEvent.For(kind, clock.GetUtcNow(), done, result.Attempts, result.Error, result.Machine));
            foreach (var skipped in walk.Complete(done, result))
            {
                observer.OnEvent(ExecutionEvent.For(ExecutionEventKind.Skipped, clock.GetUtcNow(), skipped.Change, message: skipped.Result.Error));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new ExecutionReport([.. graph.Changes.Select(c => walk.ResultOf(c.Id))]);
    }

    private async Task<ChangeOutcome> RunAsync(PlannedChange change, IExecutionObserver observer, CancellationToken cancellationToken)
    {
        // Yield first so that a dispatcher that completes synchronously does not run under the loop.
        await Task.Yield();
        return await dispatcher.DispatchAsync(change, observer, cancellationToken);
    }

    private static string SiteOf(PlannedChange change) => change.Site ?? string.Empty;

    /// <summary>The walk's bookkeeping: unmet dependencies, ready queues per site, results.</summary>
    private sealed class Walk
    {
        private readonly ChangeGraph graph;
        private readonly Dictionary<string, PlannedChange> byId;
        private readonly Dictionary<string, int> unmet;
        private readonly Dictionary<string, ChangeOutcome> results = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, PriorityQueue<PlannedChange, int>> ready = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> order;
        private string lastSite = string.Empty;

        public Walk(ChangeGraph graph)
        {
            this.graph = graph;
            byId = graph.Changes.ToDictionary(c => c.Id, StringComparer.Ordinal);
            order = graph.Changes.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
            unmet = graph.Changes.ToDictionary(c => c.Id, c => c.DependsOn.Distinct().Count(), StringComparer.Ordinal);
            foreach (var change in graph.Changes.Where(c => unmet[c.Id] == 0))
            {
                Enqueue(change);
            }
        }

        /// <summary>The next ready change of the site after the last one served that <paramref name="hasRoom"/>.</summary>
        public PlannedChange? TakeReady(Func<string, bool> hasRoom)
        {
            var sites = ready.Keys.ToList();
            var start = sites.FindIndex(s => string.CompareOrdinal(s, lastSite) > 0);
            for (var i = 0; i < sites.Count; i++)
            {
                var site = sites[((start < 0 ? 0 : start) + i) % sites.Count];
                if (!hasRoom(site))
                {
                    continue;
                }

                var queue = ready[site];
                var change = queue.Dequeue();
                if (queue.Count == 0)
                {
                    ready.Remove(site);
                }

                lastSite = site;
                return change;
            }

            return null;
        }

        /// <summary>Records a result; returns the changes that can now never run, with their skip results.</summary>
        public List<(PlannedChange Change, ChangeOutcome Result)> Complete(PlannedChange change, ChangeOutcome result)
        {
            results[change.Id] = result;
            var skipped = new List<(PlannedChange, ChangeOutcome)>();
            if (result.Status == OutcomeStatus.Succeeded)
            {
                foreach (var dependent in graph.Dependents[change.Id].Distinct())
                {
                    if (--unmet[dependent] == 0 && !results.ContainsKey(dependent))
                    {
                        Enqueue(byId[dependent]);
                    }
                }

                return skipped;
            }

            var pending = new Queue<(string Id, string Cause)>(graph.Dependents[change.Id].Select(d => (d, change.Id)));
            while (pending.TryDequeue(out var next))
            {
                if (results.ContainsKey(next.Id))
                {
                    continue;
                }

                var cause = byId[next.Cause];
                var verb = results[next.Cause].Status == OutcomeStatus.Failed ? "failed" : "was skipped";
                var skip = ChangeOutcome.Skip(next.Id, $"skipped because change {cause.Id} ({cause.Address}) {verb}");
                results[next.Id] = skip;
                skipped.Add((byId[next.Id], skip));
                foreach (var dependent in graph.Dependents[next.Id])
                {
                    pending.Enqueue((dependent, next.Id));
                }
            }

            return skipped;
        }

        public ChangeOutcome ResultOf(string id) =>
            results.TryGetValue(id, out var result) ? result : ChangeOutcome.Skip(id, "not started: the apply was cancelled");

        private void Enqueue(PlannedChange change)
        {
            var site = SiteOf(change);
            if (!ready.TryGetValue(site, out var queue))
            {
                ready[site] = queue = new PriorityQueue<PlannedChange, int>();
            }

            queue.Enqueue(change, order[change.Id]);
        }
    }
}
