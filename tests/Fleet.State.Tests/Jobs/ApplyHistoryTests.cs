using System.Collections.Immutable;
using Fleet.Engine.Execution;

namespace Fleet.State.Tests.Jobs;

public abstract class ApplyHistoryTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private StateDatabase? database;

    public async Task InitializeAsync() =>
        database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);

    public async Task DisposeAsync() => await database!.DisposeAsync();

    [Fact]
    public async Task Records_every_apply_newest_first_and_marks_dead_ones_interrupted()
    {
        var history = database!.ApplyHistory;
        await history.StartAsync(Record("a1", T0), CancellationToken.None);
        await history.FinishAsync("a1", T0.AddMinutes(1), ApplyResults.Succeeded, "sha256:1", Counts(("install", 3)), CancellationToken.None);
        await history.StartAsync(Record("a2", T0.AddMinutes(5)), CancellationToken.None);

        Assert.Equal(1, await history.MarkInterruptedAsync(T0.AddMinutes(9), CancellationToken.None));
        var list = await history.ListAsync(10, CancellationToken.None);

        Assert.Equal(["a2", "a1"], list.Select(r => r.Id));
        Assert.Equal((ApplyResults.Interrupted, T0.AddMinutes(9)), (list[0].Result, list[0].EndedAt));
        Assert.Equal((ApplyResults.Succeeded, T0.AddMinutes(1), 3), (list[1].Result, list[1].EndedAt, list[1].Counts["install"]));
        Assert.Equal(("alice", "ci-runner", "abc", "sha256:1"), (list[1].User, list[1].Host, list[1].Commit, list[1].PlanChecksum));
        Assert.Single(await history.ListAsync(1, CancellationToken.None));
    }

    private static ApplyRecord Record(string id, DateTimeOffset at) =>
        new(id, "alice", "ci-runner", "abc", null, at, null, ApplyResults.Running, ImmutableSortedDictionary<string, int>.Empty);

    private static ImmutableSortedDictionary<string, int> Counts(params (string Key, int Value)[] counts) =>
        counts.ToImmutableSortedDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
}

public sealed class SqliteApplyHistoryTests(SqliteProvider provider) : ApplyHistoryTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresApplyHistoryTests(PostgresProvider provider) : ApplyHistoryTests(provider), IClassFixture<PostgresProvider>;
