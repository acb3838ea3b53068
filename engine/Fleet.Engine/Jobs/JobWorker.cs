namespace Fleet.Engine.Jobs;

/// <summary>
/// A worker process's loop (<c>fleetctl worker</c>): up to <paramref name="concurrency"/> jobs at a time,
/// of one site or all, taken from the broker as they become due; idle polls every <paramref name="pollInterval"/>.
/// </summary>
public sealed class JobWorker(JobRunner runner, string name, string? site, int concurrency, TimeSpan pollInterval)
{
    /// <summary>Runs until cancelled, or until nothing is due when <paramref name="untilIdle"/> (tests, one-shot drains).</summary>
    public async Task<int> RunAsync(Action<Job, AttemptResult>? onAttempt, bool untilIdle, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var running = new List<Task>();
        var attempts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Job? job = null;
            if (running.Count < concurrency)
            {
                job = await runner.Broker.ClaimNextAsync(runner.Claim(name, site), cancellationToken);
            }

            if (job is not null)
            {
                attempts++;
                running.Add(RunOneAsync(job, onAttempt, cancellationToken));
                continue;
            }

            if (running.Count == 0 && untilIdle)
            {
                break;
            }

            var tick = Task.Delay(pollInterval, runner.Clock, cancellationToken);
            await Task.WhenAny([tick, .. running]);
            running.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(running);
        return attempts;
    }

    private async Task RunOneAsync(Job job, Action<Job, AttemptResult>? onAttempt, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var outcome = await runner.RunAttemptAsync(job, cancellationToken);
        onAttempt?.Invoke(job, outcome);
    }
}
