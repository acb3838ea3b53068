using System.Diagnostics;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Locking;
using Npgsql;

namespace Fleet.State.Tests.Locking;

/// <summary>The apply lock, run unchanged against SQLite (file lock) and PostgreSQL (advisory lock).</summary>
public abstract class ApplyLockTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly LockHolder Alice = new("alice", "ci-1", 4242, "0123456789abcdef0123456789abcdef01234567", new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly LockHolder Bob = new("bob", "laptop", 77, null, new DateTimeOffset(2026, 3, 1, 12, 5, 0, TimeSpan.Zero));
    private string? inventory;

    protected StateDatabase? Database { get; private set; }

    /// <summary>Where the test database is: a SQLite file path or a PostgreSQL connection string.</summary>
    protected string ConnectionTarget => InventoryLocation.Parse(inventory!, provider.FleetDirectory).ConnectionTarget;

    public async Task InitializeAsync()
    {
        inventory = await provider.CreateAsync();
        Database = await OpenAnotherAsync();
    }

    public async Task DisposeAsync() => await Database!.DisposeAsync();

    /// <summary>A second, independent opening of the same database, as another fleetctl process would have.</summary>
    protected Task<StateDatabase> OpenAnotherAsync() => StateDatabase.OpenAsync(inventory!, provider.FleetDirectory, CancellationToken.None);

    [Fact]
    public async Task A_second_apply_fails_fast_naming_the_holder_and_gets_the_lock_once_it_is_released()
    {
        await using var other = await OpenAnotherAsync();
        var held = await Database!.ApplyLock.AcquireAsync(Alice, TimeSpan.Zero, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FleetException>(() => other.ApplyLock.AcquireAsync(Bob, TimeSpan.Zero, CancellationToken.None));
        Assert.Contains("alice on ci-1 (pid 4242), applying commit 0123456789ab, since 2026-03-01 12:00:00Z", error.Message, StringComparison.Ordinal);
        Assert.Equal("alice", (await other.ApplyLock.GetHolderAsync(CancellationToken.None))!.User);

        await held.DisposeAsync();
        Assert.Null(await other.ApplyLock.GetHolderAsync(CancellationToken.None));
        await using var mine = await other.ApplyLock.AcquireAsync(Bob, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("bob", (await Database.ApplyLock.GetHolderAsync(CancellationToken.None))!.User);
    }

    [Fact]
    public async Task A_waiting_apply_gets_the_lock_when_the_holder_finishes_within_the_timeout()
    {
        await using var other = await OpenAnotherAsync();
        var held = await Database!.ApplyLock.AcquireAsync(Alice, TimeSpan.Zero, CancellationToken.None);
        var release = Task.Run(async () =>
        {
            await Task.Delay(300);
            await held.DisposeAsync();
        });

        var watch = Stopwatch.StartNew();
        await using var mine = await other.ApplyLock.AcquireAsync(Bob, TimeSpan.FromSeconds(10), CancellationToken.None);

        await release;
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_waiting_apply_gives_up_after_its_timeout()
    {
        await using var other = await OpenAnotherAsync();
        await using var held = await Database!.ApplyLock.AcquireAsync(Alice, TimeSpan.Zero, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FleetException>(() => other.ApplyLock.AcquireAsync(Bob, TimeSpan.FromMilliseconds(400), CancellationToken.None));
        Assert.Contains("alice on ci-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("(waited ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lock_of_a_holder_that_died_is_free_without_any_unlock()
    {
        await HoldInAnotherProcessAndKillItAsync();
        await using var mine = await Database!.ApplyLock.AcquireAsync(Bob, TimeSpan.Zero, CancellationToken.None);
    }

    /// <summary>Takes the lock the way this backend's holder does, from a process or session that then dies without releasing it.</summary>
    protected abstract Task HoldInAnotherProcessAndKillItAsync();
}

public sealed class SqliteApplyLockTests(SqliteProvider provider) : ApplyLockTests(provider), IClassFixture<SqliteProvider>
{
    protected override async Task HoldInAnotherProcessAndKillItAsync()
    {
        // flock(1) takes the same flock(2) lock .NET takes for FileShare.None.
        var lockFile = ConnectionTarget + ".apply-lock";
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", "-o", lockFile, "sleep", "60"]) { UseShellExecute = false })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await Database!.ApplyLock.GetHolderAsync(CancellationToken.None) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Assert.ThrowsAsync<FleetException>(() => Database!.ApplyLock.AcquireAsync(new LockHolder("x", "y", 1, null, DateTimeOffset.UnixEpoch), TimeSpan.Zero, CancellationToken.None));
        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();
    }
}

public sealed class PostgresApplyLockTests(PostgresProvider provider) : ApplyLockTests(provider), IClassFixture<PostgresProvider>
{
    protected override async Task HoldInAnotherProcessAndKillItAsync()
    {
        await using var other = await OpenAnotherAsync();
        var held = await other.ApplyLock.AcquireAsync(new LockHolder("ci", "runner", 9, null, DateTimeOffset.UnixEpoch), TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<FleetException>(() => Database!.ApplyLock.AcquireAsync(new LockHolder("x", "y", 1, null, DateTimeOffset.UnixEpoch), TimeSpan.Zero, CancellationToken.None));

        // The server ends the holder's session, as it does when the holder's process dies.
        var database = new NpgsqlConnectionStringBuilder(ConnectionTarget).Database;
        await using var admin = new NpgsqlConnection(PostgresProvider.ServerConnectionString);
        await admin.OpenAsync();
        await using var kill = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = @db)", admin);
        kill.Parameters.AddWithValue("db", database!);
        await kill.ExecuteNonQueryAsync();
        _ = held; // its session is gone; disposing would only find a closed connection
    }
}
