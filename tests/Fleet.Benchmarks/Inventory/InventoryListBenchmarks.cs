using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.State;
using Npgsql;

namespace Fleet.Benchmarks.Inventory;

/// <summary>
/// What a plan of a 100,000-machine fleet pays to read the inventory: <see cref="IInventoryStore.ListMachinesAsync"/>
/// of every machine, on SQLite and on PostgreSQL (FLEET_TEST_POSTGRES, a superuser connection string).
/// Run: <c>dotnet run -c Release --project tests/Fleet.Benchmarks -- --filter '*InventoryList*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class InventoryListBenchmarks
{
    private const int Machines = 100_000;
    private string directory = string.Empty;
    private string? postgresDatabase;
    private StateDatabase? database;

    [Params("sqlite", "postgres")]
    public string Backend { get; set; } = "sqlite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        directory = Directory.CreateTempSubdirectory("fleet-bench-list-").FullName;
        var inventory = "sqlite:inventory.db";
        if (Backend == "postgres")
        {
            var server = Environment.GetEnvironmentVariable("FLEET_TEST_POSTGRES")
                ?? throw new InvalidOperationException("FLEET_TEST_POSTGRES is not set: source tests/servers/postgres.sh and run pg_start first");
            postgresDatabase = $"fleet_bench_{Guid.NewGuid():N}";
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await new NpgsqlCommand($"CREATE DATABASE {postgresDatabase}", connection).ExecuteNonQueryAsync();
            }

            inventory = new NpgsqlConnectionStringBuilder(server) { Database = postgresDatabase }.ConnectionString;
        }

        database = await StateDatabase.OpenAsync(inventory, directory, CancellationToken.None);
        await database.Inventory.IngestAsync(Records(), new AuditContext("bench@local"), CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        if (postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("FLEET_TEST_POSTGRES"));
            await connection.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {postgresDatabase} WITH (FORCE)", connection).ExecuteNonQueryAsync();
        }

        Directory.Delete(directory, recursive: true);
    }

    [Benchmark]
    public async Task<int> ListAllMachines() => (await database!.Inventory.ListMachinesAsync(null, CancellationToken.None)).Length;

    private static ImmutableArray<ReconRecord> Records() =>
    [
        .. Enumerable.Range(0, Machines).Select(n => new ReconRecord(
            string.Create(CultureInfo.InvariantCulture, $"SN{n:D8}"),
            $"hw{n % 3:D2}",
            $"site{n % 4:D2}",
            $"r{n % 20:D2}",
            new BmcEndpoint(string.Create(CultureInfo.InvariantCulture, $"10.{100 + (n / 62_500)}.{n / 250 % 250}.{(n % 250) + 1}"), 623),
            [
                new NetworkInterface("eth0", string.Create(CultureInfo.InvariantCulture, $"02:00:00:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}"), string.Create(CultureInfo.InvariantCulture, $"10.{n / 62_500}.{n / 250 % 250}.{(n % 250) + 1}")),
                new NetworkInterface("eth1", string.Create(CultureInfo.InvariantCulture, $"02:01:00:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}"), null),
            ],
            SourceLocation.OfFile("bench"),
            n + 1)),
    ];
}
