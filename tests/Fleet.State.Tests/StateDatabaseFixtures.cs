using Npgsql;

namespace Fleet.State.Tests;

/// <summary>
/// Where a test gets a fresh, empty state database: a temporary SQLite file, or a uniquely named
/// database on the PostgreSQL server of FLEET_TEST_POSTGRES (dropped afterwards).
/// </summary>
public interface IDatabaseProvider : IAsyncLifetime
{
    /// <summary>The inventory reference (sqlite:PATH or a connection string) of a new empty database.</summary>
    Task<string> CreateAsync();

    /// <summary>The fleet directory SQLite paths are relative to.</summary>
    string FleetDirectory { get; }
}

public sealed class SqliteProvider : IDatabaseProvider
{
    private int count;

    public string FleetDirectory { get; } = Directory.CreateTempSubdirectory("fleet-state-").FullName;

    public Task<string> CreateAsync() => Task.FromResult($"sqlite:.fleet/inventory-{Interlocked.Increment(ref count)}.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(FleetDirectory, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresProvider : IDatabaseProvider
{
    private readonly List<string> databases = [];

    public string FleetDirectory { get; } = Path.GetTempPath();

    /// <summary>The superuser connection string of the test server; a missing server fails the test.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("FLEET_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("FLEET_TEST_POSTGRES is not set: run ./test.sh, which starts a throwaway PostgreSQL server for the tests");

    public async Task<string> CreateAsync()
    {
        var name = $"fleet_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        lock (databases)
        {
            databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        foreach (var name in databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
