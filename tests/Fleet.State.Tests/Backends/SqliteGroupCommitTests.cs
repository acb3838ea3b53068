using Dapper;
using Fleet.State.Backends;

namespace Fleet.State.Tests.Backends;

/// <summary>Concurrent SQLite writes of one process share transactions; each must still stand or fall alone.</summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleet-group-commit-").FullName;
    private SqliteBackend? backend;

    private SqliteBackend Backend => backend!;

    public async Task InitializeAsync()
    {
        backend = new SqliteBackend(InventoryLocation.Parse("sqlite:test.db", directory));
        await Backend.WriteAsync((c, t) => c.ExecuteAsync("CREATE TABLE rows (n INTEGER PRIMARY KEY)", transaction: t), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_write_that_throws_after_writing_is_rolled_back_alone_and_the_others_commit()
    {
        var writes = Enumerable.Range(1, 200).Select(async n =>
        {
            await Task.Yield();
            return await Backend.WriteAsync<int>(
                async (connection, transaction) =>
                {
                    await connection.ExecuteAsync("INSERT INTO rows (n) VALUES (@n)", new { n }, transaction);
                    return n % 7 == 0 ? throw new InvalidOperationException($"write {n} fails after inserting") : n;
                },
                CancellationToken.None);
        }).ToList();

        foreach (var (write, n) in writes.Select((w, i) => (w, i + 1)))
        {
            if (n % 7 == 0)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => write);
                Assert.Equal($"write {n} fails after inserting", error.Message);
            }
            else
            {
                Assert.Equal(n, await write);
            }
        }

        var stored = await Backend.ReadAsync(c => c.QueryAsync<int>("SELECT n FROM rows ORDER BY n"), CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 200).Where(n => n % 7 != 0), stored);
    }

    [Fact]
    public async Task A_write_is_visible_to_other_connections_once_its_task_completes()
    {
        var writes = Enumerable.Range(1, 50).Select(async n =>
        {
            await Backend.WriteAsync((c, t) => c.ExecuteAsync("INSERT INTO rows (n) VALUES (@n)", new { n }, t), CancellationToken.None);
            return await Backend.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM rows WHERE n = @n", new { n }), CancellationToken.None);
        });

        Assert.All(await Task.WhenAll(writes), count => Assert.Equal(1, count));
    }
}
