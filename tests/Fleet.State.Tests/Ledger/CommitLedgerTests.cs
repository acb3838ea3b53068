using Fleet.Engine.GitOps;

namespace Fleet.State.Tests.Ledger;

public abstract class CommitLedgerTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private StateDatabase? _database;

    private ICommitLedger Ledger => _database!.Ledger;

    public async Task InitializeAsync() =>
        _database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);

    public async Task DisposeAsync() => await _database!.DisposeAsync();

    private static AppliedCommit Applied(string? commit, int minute) =>
        new(commit, commit is null ? null : "refs/heads/main", $"sha256:{minute}", "ci@runner", new DateTimeOffset(2026, 11, 26, 12, minute, 0, TimeSpan.Zero));

    [Fact]
    public async Task An_empty_ledger_has_no_last_commit() =>
        Assert.Null(await Ledger.GetLastCommitAsync(CancellationToken.None));

    [Fact]
    public async Task The_last_commit_is_the_latest_git_apply_and_worktree_applies_are_kept_but_skipped()
    {
        var first = new string('1', 40);
        var second = new string('2', 40);
        await Ledger.RecordAsync(Applied(first, 1), CancellationToken.None);
        await Ledger.RecordAsync(Applied(second, 2), CancellationToken.None);
        await Ledger.RecordAsync(Applied(null, 3), CancellationToken.None);

        var last = await Ledger.GetLastCommitAsync(CancellationToken.None);

        Assert.Equal(Applied(second, 2), last);
        var all = await Ledger.ListAsync(10, CancellationToken.None);
        Assert.Equal([null, second, first], all.Select(a => a.Commit));
        Assert.Single(await Ledger.ListAsync(1, CancellationToken.None));
    }
}

public sealed class SqliteCommitLedgerTests(SqliteProvider provider) : CommitLedgerTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresCommitLedgerTests(PostgresProvider provider) : CommitLedgerTests(provider), IClassFixture<PostgresProvider>;
