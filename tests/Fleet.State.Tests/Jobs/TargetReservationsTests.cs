using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Fleet.Engine.Execution;
using Fleet.Engine.Jobs;

namespace Fleet.State.Tests.Jobs;

/// <summary>
/// Reserved targets, seen by every process on the database (the apply and fleetctl workers), on
/// SQLite and PostgreSQL: a running apply's reservations and unfinished jobs' targets count; those of
/// an apply that ended and of finished jobs do not.
/// </summary>
public abstract class TargetReservationsTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    /// <summary>Candidates in the order a caller prefers them, which the answer keeps.</summary>
    private static readonly string[] Candidates = ["SN9", "SN8", "SN7", "SN6", "SN4", "SN3", "SN2", "SN1"];

    private string inventory = null!;
    private StateDatabase database = null!;

    public async Task InitializeAsync()
    {
        inventory = await provider.CreateAsync();
        database = await StateDatabase.OpenAsync(inventory, provider.FleetDirectory, CancellationToken.None);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_running_applys_reservations_and_unfinished_jobs_are_seen_from_another_process_until_they_end()
    {
        await StartApplyAsync("a1");
        await database.Reservations.ReserveAsync("a1", ["SN1", "SN2", "SN2"], CancellationToken.None);
        await database.Reservations.ReserveAsync("a1", ["SN3"], CancellationToken.None); // added, not replacing
        var queued = await database.Jobs.EnqueueAsync(Job("SN7"), T0, CancellationToken.None);
        var running = await database.Jobs.EnqueueClaimedAsync(Job("SN8"), new JobClaim("w1", null, T0, T0.AddSeconds(30)), CancellationToken.None);
        var finished = await database.Jobs.EnqueueClaimedAsync(Job("SN9"), new JobClaim("w1", null, T0, T0.AddSeconds(30)), CancellationToken.None);
        await database.Jobs.FinishAsync(finished.Id, "w1", T0.AddSeconds(1), CancellationToken.None);

        // A worker process has its own connection to the same database.
        await using (var worker = await StateDatabase.OpenAsync(inventory, provider.FleetDirectory, CancellationToken.None))
        {
            Assert.Equal<string>(["SN9", "SN6", "SN4"], await worker.Reservations.UnreservedAsync(Candidates, CancellationToken.None));
        }

        await database.ApplyHistory.FinishAsync("a1", T0.AddMinutes(1), ApplyResults.Succeeded, null, ImmutableSortedDictionary<string, int>.Empty, CancellationToken.None);
        await database.Jobs.FinishAsync(running.Id, "w1", T0.AddSeconds(2), CancellationToken.None);

        Assert.Equal<string>(["SN9", "SN8", "SN6", "SN4", "SN3", "SN2", "SN1"], await database.Reservations.UnreservedAsync(Candidates, CancellationToken.None));
        Assert.Equal(JobStatus.Queued, (await database.Jobs.GetAsync(queued.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task An_apply_that_died_holds_nothing_once_the_next_apply_starts_and_its_rows_are_dropped()
    {
        await StartApplyAsync("dead");
        await database.Reservations.ReserveAsync("dead", ["SN1"], CancellationToken.None);
        Assert.Equal<string>(["SN2"], await database.Reservations.UnreservedAsync(["SN1", "SN2"], CancellationToken.None));

        // The next apply marks the dead one interrupted before it reserves anything.
        await database.ApplyHistory.MarkInterruptedAsync(T0.AddMinutes(5), CancellationToken.None);
        Assert.Equal<string>(["SN1", "SN2"], await database.Reservations.UnreservedAsync(["SN1", "SN2"], CancellationToken.None));
        await StartApplyAsync("next");
        await database.Reservations.ReserveAsync("next", ["SN2"], CancellationToken.None);

        Assert.Equal<string>(["SN1"], await database.Reservations.UnreservedAsync(["SN1", "SN2"], CancellationToken.None));
    }

    private Task StartApplyAsync(string id) =>
        database.ApplyHistory.StartAsync(
            new ApplyRecord(id, "alice", "ci", null, null, T0, null, ApplyResults.Running, ImmutableSortedDictionary<string, int>.Empty),
            CancellationToken.None);

    private static NewJob Job(string target) =>
        new("a1", "1", "install", target, "lon", new JsonObject { ["machine"] = target }, "alice@ci", null, null);
}

public sealed class SqliteTargetReservationsTests(SqliteProvider provider) : TargetReservationsTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresTargetReservationsTests(PostgresProvider provider) : TargetReservationsTests(provider), IClassFixture<PostgresProvider>;
