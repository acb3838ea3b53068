using System.Collections.Immutable;
using System.Text.Json;
using Fleet.State;
using Fleet.Tests.Shared;
using Npgsql;

namespace Fleetctl.Tests;

/// <summary>The inventory commands run in-process on a copy of the quickstart fleet.</summary>
public sealed class InventoryCommandTests : IDisposable
{
    private readonly string fleet = Directory.CreateTempSubdirectory("fleet-cli-").FullName;

    public InventoryCommandTests()
    {
        Examples.CopyTo("quickstart", fleet);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(fleet, recursive: true);
    }

    [Fact]
    public async Task Ingesting_the_quickstart_recon_twice_gives_the_same_inventory()
    {
        var first = await RunAsync("inventory", "ingest", "recon");
        Assert.Equal(0, first.Exit);
        Assert.Equal("ingested 40 records from 2 file(s) into sqlite:.fleet/inventory.db: 40 added, 0 updated, 0 unchanged", first.Out.Trim());
        var listed = (await RunAsync("inventory", "list", "--format", "json")).Out;

        var second = await RunAsync("inventory", "ingest", "recon");

        Assert.Contains("0 added, 0 updated, 40 unchanged", second.Out, StringComparison.Ordinal);
        Assert.Equal(listed, (await RunAsync("inventory", "list", "--format", "json")).Out);
        using var document = JsonDocument.Parse(listed);
        Assert.Equal(40, document.RootElement.GetArrayLength());
        var machine = document.RootElement[0];
        foreach (var field in new[] { "hardwareName", "hardwareType", "site", "rack", "state", "hostname", "role", "pool", "bmc", "interfaces", "updatedAt" })
        {
            Assert.True(machine.TryGetProperty(field, out _), field);
        }

        Assert.Equal("available", machine.GetProperty("state").GetString());
    }

    [Fact]
    public async Task List_filters_and_prints_a_table()
    {
        await RunAsync("inventory", "ingest", "recon/sto.json");

        var table = await RunAsync("inventory", "list", "--site", "sto", "--state", "available");
        var lines = table.Out.TrimEnd().Split('\n');

        Assert.StartsWith("HARDWARE NAME", lines[0], StringComparison.Ordinal);
        Assert.True(lines.Length > 1);
        Assert.All(lines.Skip(1), l => Assert.Contains(" sto ", l, StringComparison.Ordinal));
        Assert.Single((await RunAsync("inventory", "list", "--state", "broken")).Out.TrimEnd().Split('\n'));
        var bad = await RunAsync("inventory", "list", "--state", "dead");
        Assert.Equal((1, "error: --state: unknown state 'dead'; expected new, available, installing, in_use, recycling or broken"), (bad.Exit, bad.Err.Trim()));
    }

    [Fact]
    public async Task A_file_with_a_bad_record_writes_nothing_and_says_where()
    {
        File.WriteAllText(Path.Combine(fleet, "bad.ndjson"),
            "{\"hardwareName\":\"N1\",\"hardwareType\":\"compute\",\"site\":\"lon\"}\n" +
            "{\"hardwareName\":\"N2\",\"hardwareType\":\"compute\",\"site\":\"mars\"}\n");

        var result = await RunAsync("inventory", "ingest", "recon/lon.json", "bad.ndjson");

        Assert.Equal(1, result.Exit);
        Assert.Equal("bad.ndjson:2:1: error: record 2: unknown site 'mars' (fleet.yaml declares: lon, sto)", result.Err.Trim());
        Assert.False(File.Exists(Path.Combine(fleet, ".fleet", "inventory.db")));
        Assert.Single((await RunAsync("inventory", "list")).Out.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Malformed_json_is_reported_with_its_position()
    {
        File.WriteAllText(Path.Combine(fleet, "broken.json"), "[\n  {\"hardwareName\": \"N1\",,}\n]");
        var result = await RunAsync("inventory", "ingest", "broken.json");
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("broken.json:2:25: error: malformed JSON: ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_MAC_owned_by_another_machine_is_a_conflict()
    {
        await RunAsync("inventory", "ingest", "recon/lon.json");
        var owner = await FirstMachineAsync();
        var mac = owner.GetProperty("interfaces")[0].GetProperty("mac").GetString();

        var result = await RunAsync(
            ["inventory", "ingest", "-"],
            $"{{\"hardwareName\":\"NEW1\",\"hardwareType\":\"compute\",\"site\":\"lon\",\"interfaces\":[{{\"name\":\"eth0\",\"mac\":\"{mac!.ToUpperInvariant()}\"}}]}}\n");

        Assert.Equal(1, result.Exit);
        Assert.Equal($"<stdin>:1:1: error: record 1: MAC {mac} of NEW1 already belongs to machine {owner.GetProperty("hardwareName").GetString()}", result.Err.Trim());
    }

    [Fact]
    public async Task Mark_broken_and_repair_follow_the_lifecycle_and_are_in_the_history()
    {
        await RunAsync("inventory", "ingest", "recon");
        var serial = (await FirstMachineAsync()).GetProperty("hardwareName").GetString()!;

        Assert.Equal(0, (await RunAsync("inventory", "mark-broken", serial, "--reason", "fans failed")).Exit);
        var again = await RunAsync("inventory", "mark-broken", serial, "--reason", "still");
        Assert.Equal((1, $"error: machine {serial} is broken: cannot mark broken (broken → broken is not an allowed transition)"), (again.Exit, again.Err.Trim()));
        Assert.Equal("broken", JsonDocument.Parse((await RunAsync("inventory", "show", serial, "--format", "json")).Out).RootElement.GetProperty("state").GetString());
        Assert.Equal(0, (await RunAsync("inventory", "repair", serial)).Exit);
        var repairAgain = await RunAsync("inventory", "repair", serial);
        Assert.Equal((1, $"error: machine {serial} is available: only a broken machine can be repaired"), (repairAgain.Exit, repairAgain.Err.Trim()));

        using var history = JsonDocument.Parse((await RunAsync("inventory", "history", serial, "--format", "json")).Out);
        var changes = history.RootElement.EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("to").GetString()} {e.GetProperty("reason").GetString()}");
        Assert.Equal(["ingest available recon ingest", "transition broken fans failed", "transition available repaired"], changes);
    }

    [Fact]
    public async Task An_unreachable_database_is_a_clear_error_without_the_password()
    {
        var result = await RunAsync(["inventory", "list"], environment: new Dictionary<string, string> { ["FLEET_INVENTORY"] = "postgres://fleet:hunter2@127.0.0.1:1/inventory" });

        Assert.Equal(1, result.Exit);
        Assert.Equal("error: inventory postgres://fleet:***@127.0.0.1:1/inventory: cannot connect to PostgreSQL (connection refused: is the server running?)", result.Err.Trim());
    }

    [Fact]
    public async Task The_inventory_commands_work_the_same_on_PostgreSQL()
    {
        var server = Environment.GetEnvironmentVariable("FLEET_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("FLEET_TEST_POSTGRES is not set: run ./test.sh, which starts a throwaway PostgreSQL server for the tests");
        var name = $"fleet_cli_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {name}", connection).ExecuteNonQueryAsync();
        }

        try
        {
            var environment = new Dictionary<string, string> { ["FLEET_INVENTORY"] = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString };
            Assert.Equal(0, (await RunAsync(["inventory", "ingest", "recon"], environment: environment)).Exit);
            var onPostgres = (await RunAsync(["inventory", "list"], environment: environment)).Out;
            await RunAsync("inventory", "ingest", "recon");
            Assert.Equal((await RunAsync("inventory", "list")).Out, onPostgres);
            Assert.Contains($"schema version {StateDatabase.LatestSchemaVersion(StateBackendKind.Postgres)} (up to date)", (await RunAsync(["inventory", "migrate"], environment: environment)).Out, StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection).ExecuteNonQueryAsync();
        }
    }

    private async Task<JsonElement> FirstMachineAsync() =>
        JsonDocument.Parse((await RunAsync("inventory", "list", "--format", "json")).Out).RootElement[0].Clone();

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(args, null, null);

    private async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, string? stdin = null, Dictionary<string, string>? environment = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(stdin ?? string.Empty), (environment ?? []).ToImmutableDictionary(), fleet, false, TimeProvider.System);
        var exit = await Cli.RunAsync(args, host, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
