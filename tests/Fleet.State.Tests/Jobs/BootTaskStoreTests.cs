using System.Security.Cryptography;
using System.Text;
using Fleet.Engine.Jobs;

namespace Fleet.State.Tests.Jobs;

/// <summary>
/// Boot tasks and their completions on SQLite and PostgreSQL: a completion counts once, only with the
/// current token of the machine's current task, and is seen by another process on the database.
/// </summary>
public abstract class BootTaskStoreTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private string inventory = null!;
    private StateDatabase database = null!;

    public async Task InitializeAsync()
    {
        inventory = await provider.CreateAsync();
        database = await StateDatabase.OpenAsync(inventory, provider.FleetDirectory, CancellationToken.None);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_completion_with_the_current_token_is_accepted_once_and_seen_by_another_process()
    {
        await database.BootTasks.StartAsync("SN1", BootTaskKinds.Install, "42", T0, CancellationToken.None);
        var issued = await database.BootTasks.IssueTokenAsync("SN1", BootTaskKinds.Install, Hash("t1"), CancellationToken.None);
        Assert.Equal(new BootTask("SN1", BootTaskKinds.Install, "42", T0, null, null, null), issued);

        Assert.False(await database.BootTasks.CompleteAsync(Hash("wrong"), true, null, T0.AddMinutes(1), CancellationToken.None));
        Assert.True(await database.BootTasks.CompleteAsync(Hash("t1"), false, "disk not found", T0.AddMinutes(2), CancellationToken.None));
        Assert.False(await database.BootTasks.CompleteAsync(Hash("t1"), true, null, T0.AddMinutes(3), CancellationToken.None)); // used

        await using var worker = await StateDatabase.OpenAsync(inventory, provider.FleetDirectory, CancellationToken.None);
        Assert.Equal(
            new BootTask("SN1", BootTaskKinds.Install, "42", T0, false, "disk not found", T0.AddMinutes(2)),
            await worker.BootTasks.GetAsync("SN1", CancellationToken.None));
        Assert.Null(await worker.BootTasks.IssueTokenAsync("SN1", BootTaskKinds.Install, Hash("t2"), CancellationToken.None)); // finished: nothing to boot into
    }

    [Fact]
    public async Task A_new_token_or_a_new_attempt_makes_the_earlier_tokens_and_completion_void()
    {
        Assert.Null(await database.BootTasks.IssueTokenAsync("SN2", BootTaskKinds.Install, Hash("t0"), CancellationToken.None)); // no task yet
        await database.BootTasks.StartAsync("SN2", BootTaskKinds.Install, "1", T0, CancellationToken.None);
        await database.BootTasks.IssueTokenAsync("SN2", BootTaskKinds.Install, Hash("t1"), CancellationToken.None);
        await database.BootTasks.IssueTokenAsync("SN2", BootTaskKinds.Install, Hash("t2"), CancellationToken.None); // the machine asked for its boot script again
        Assert.False(await database.BootTasks.CompleteAsync(Hash("t1"), true, null, T0, CancellationToken.None));
        Assert.True(await database.BootTasks.CompleteAsync(Hash("t2"), true, null, T0.AddSeconds(5), CancellationToken.None));

        await database.BootTasks.StartAsync("SN2", BootTaskKinds.Sanitize, "2", T0.AddHours(1), CancellationToken.None);
        Assert.Equal(
            new BootTask("SN2", BootTaskKinds.Sanitize, "2", T0.AddHours(1), null, null, null),
            await database.BootTasks.GetAsync("SN2", CancellationToken.None));
        await database.BootTasks.IssueTokenAsync("SN2", BootTaskKinds.Sanitize, Hash("t3"), CancellationToken.None);
        await database.BootTasks.StartAsync("SN2", BootTaskKinds.Sanitize, "2", T0.AddHours(2), CancellationToken.None); // retried
        Assert.False(await database.BootTasks.CompleteAsync(Hash("t3"), true, null, T0.AddHours(2), CancellationToken.None));
        Assert.Null((await database.BootTasks.GetAsync("SN2", CancellationToken.None))!.Succeeded);
    }

    [Fact]
    public async Task A_token_is_issued_only_for_a_task_of_the_expected_kind_and_the_other_kinds_token_keeps_counting()
    {
        await database.BootTasks.StartAsync("SN3", BootTaskKinds.Sanitize, "7", T0, CancellationToken.None);
        await database.BootTasks.IssueTokenAsync("SN3", BootTaskKinds.Sanitize, Hash("sanitize"), CancellationToken.None);

        Assert.Null(await database.BootTasks.IssueTokenAsync("SN3", BootTaskKinds.Install, Hash("install"), CancellationToken.None));

        Assert.False(await database.BootTasks.CompleteAsync(Hash("install"), true, null, T0.AddMinutes(1), CancellationToken.None));
        Assert.True(await database.BootTasks.CompleteAsync(Hash("sanitize"), true, null, T0.AddMinutes(2), CancellationToken.None));
    }

    [Fact]
    public async Task Of_two_simultaneous_completions_with_the_same_token_exactly_one_is_accepted()
    {
        await database.BootTasks.StartAsync("SN4", BootTaskKinds.Install, "8", T0, CancellationToken.None);
        await database.BootTasks.IssueTokenAsync("SN4", BootTaskKinds.Install, Hash("t"), CancellationToken.None);
        await using var other = await StateDatabase.OpenAsync(inventory, provider.FleetDirectory, CancellationToken.None);

        for (var round = 0; round < 10; round++)
        {
            using var start = new SemaphoreSlim(0);
            var first = Task.Run(async () => { await start.WaitAsync(); return await database.BootTasks.CompleteAsync(Hash("t"), true, null, T0.AddMinutes(1), CancellationToken.None); });
            var second = Task.Run(async () => { await start.WaitAsync(); return await other.BootTasks.CompleteAsync(Hash("t"), false, "disk not found", T0.AddMinutes(1), CancellationToken.None); });
            start.Release(2);
            var accepted = await Task.WhenAll(first, second);

            Assert.Single(accepted, a => a);
            var task = (await database.BootTasks.GetAsync("SN4", CancellationToken.None))!;
            Assert.Equal(accepted[0], task.Succeeded);

            await database.BootTasks.StartAsync("SN4", BootTaskKinds.Install, "8", T0, CancellationToken.None);
            await database.BootTasks.IssueTokenAsync("SN4", BootTaskKinds.Install, Hash("t"), CancellationToken.None);
        }
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

public sealed class SqliteBootTaskStoreTests(SqliteProvider provider) : BootTaskStoreTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresBootTaskStoreTests(PostgresProvider provider) : BootTaskStoreTests(provider), IClassFixture<PostgresProvider>;
