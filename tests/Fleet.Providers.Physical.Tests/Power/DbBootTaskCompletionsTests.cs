using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Providers.Physical.Power;
using Fleet.State;
using Fleet.State.Tests;

namespace Fleet.Providers.Physical.Tests.Power;

/// <summary>
/// Completions through the state database, as the lifecycle waits for them: the attempt begun is the
/// one whose completion counts, the deadline ends the wait with no outcome, and cancellation stops it.
/// </summary>
public sealed class DbBootTaskCompletionsTests : IAsyncLifetime
{
    private static readonly Machine Machine = new(
        "SN1", "compute", "lon", null, null, [], MachineState.Installing, "lon-web-abcde", "web", "web-lon", "debian-12",
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);

    private readonly SqliteProvider databases = new();
    private StateDatabase database = null!;
    private DbBootTaskCompletions completions = null!;

    public async Task InitializeAsync()
    {
        await databases.InitializeAsync();
        database = await StateDatabase.OpenAsync(await databases.CreateAsync(), databases.FleetDirectory, CancellationToken.None);
        completions = new DbBootTaskCompletions(database.BootTasks, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        await databases.DisposeAsync();
    }

    [Fact]
    public async Task The_wait_returns_the_outcome_reported_for_the_attempt_begun_and_not_one_of_an_earlier_attempt()
    {
        await completions.BeginAsync(Machine, BootImage.Installer, "1", CancellationToken.None);
        await Report("old", succeeded: true);
        await completions.BeginAsync(Machine, BootImage.Installer, "1", CancellationToken.None); // a retry: the earlier success does not count

        var wait = completions.WaitAsync(Machine, BootImage.Installer, DateTimeOffset.UtcNow.AddSeconds(30), CancellationToken.None);
        await Task.Delay(300);
        Assert.False(wait.IsCompleted);
        await Report("new", succeeded: false);

        Assert.Equal(BootTaskOutcome.Failure("no disk"), await wait);
    }

    [Fact]
    public async Task No_report_before_the_deadline_is_no_outcome_and_cancellation_stops_the_wait()
    {
        await completions.BeginAsync(Machine, BootImage.Sanitize, "2", CancellationToken.None);
        var started = DateTimeOffset.UtcNow;

        Assert.Null(await completions.WaitAsync(Machine, BootImage.Sanitize, started.AddSeconds(0.5), CancellationToken.None));
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completions.WaitAsync(Machine, BootImage.Sanitize, DateTimeOffset.UtcNow.AddMinutes(5), cancel.Token));
    }

    /// <summary>What <c>fleetctl serve</c> does: a token for the boot script, then the installer's report with it.</summary>
    private async Task Report(string token, bool succeeded)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        Assert.NotNull(await database.BootTasks.IssueTokenAsync(Machine.HardwareName, BootTaskKinds.Install, hash, CancellationToken.None));
        Assert.True(await database.BootTasks.CompleteAsync(hash, succeeded, succeeded ? null : "no disk", DateTimeOffset.UtcNow, CancellationToken.None));
    }
}
