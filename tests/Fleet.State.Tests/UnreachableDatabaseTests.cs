using System.Net;
using System.Net.Sockets;
using Fleet.Engine.Diagnostics;
using Npgsql;

namespace Fleet.State.Tests;

/// <summary>Databases a user can point fleetctl at by mistake: each is a clear error without the password.</summary>
public sealed class UnreachableDatabaseTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fleet-bad-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task A_file_that_is_not_a_SQLite_database_is_refused()
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "inventory.db"), "apiVersion: fleet/v1\nkind: Fleet\nthis is yaml, not a database, and long enough to have a header\n");

        var error = await Assert.ThrowsAsync<FleetException>(() => StateDatabase.OpenAsync("sqlite:inventory.db", directory, CancellationToken.None));

        Assert.Equal("inventory sqlite:inventory.db: the file is not a SQLite database", error.Diagnostics[0].Message);
    }

    [Fact]
    public async Task A_postgres_server_that_is_down_is_a_clear_error_without_the_password()
    {
        var port = FreePort();

        var error = await Assert.ThrowsAsync<FleetException>(() =>
            StateDatabase.OpenAsync($"postgres://fleet:hunter2@127.0.0.1:{port}/inventory?connect_timeout=5", directory, CancellationToken.None));

        Assert.Equal($"inventory postgres://fleet:***@127.0.0.1:{port}/inventory?connect_timeout=5: cannot connect to PostgreSQL (connection refused: is the server running?)", error.Diagnostics[0].Message);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error_without_the_password()
    {
        // tests/servers/postgres.sh makes this role log in with scram-sha-256; every other loopback login is trusted.
        const string role = "fleet_password_login";
        var database = $"fleet_login_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(Tests.PostgresProvider.ServerConnectionString);
        await admin.OpenAsync();
        await Execute(admin, $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} LOGIN; END IF; END $$");
        await Execute(admin, $"ALTER ROLE {role} PASSWORD 'the-right-one'");
        await Execute(admin, $"CREATE DATABASE {database} OWNER {role}");
        try
        {
            await RefusedThenAccepted(role, database);
        }
        finally
        {
            await Execute(admin, $"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    private async Task RefusedThenAccepted(string role, string databaseName)
    {
        var server = new NpgsqlConnectionStringBuilder(Tests.PostgresProvider.ServerConnectionString);
        var wrong = $"postgres://{role}:hunter2@{server.Host}:{server.Port}/{databaseName}";

        var error = await Assert.ThrowsAsync<FleetException>(() => StateDatabase.OpenAsync(wrong, directory, CancellationToken.None));

        Assert.StartsWith($"inventory postgres://{role}:***@{server.Host}:{server.Port}/{databaseName}: PostgreSQL refused the login: ", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);

        // The same login with the right password opens the inventory: the refusal was the password's.
        await using var opened = await StateDatabase.OpenAsync($"postgres://{role}:the-right-one@{server.Host}:{server.Port}/{databaseName}", directory, CancellationToken.None);
        Assert.Empty(await opened.Inventory.ListMachinesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_role_the_server_does_not_know_is_a_clear_error_without_the_password()
    {
        var server = new NpgsqlConnectionStringBuilder(Tests.PostgresProvider.ServerConnectionString);
        var inventory = $"postgres://nobody:hunter2@{server.Host}:{server.Port}/postgres";

        var error = await Assert.ThrowsAsync<FleetException>(() => StateDatabase.OpenAsync(inventory, directory, CancellationToken.None));

        Assert.StartsWith($"inventory postgres://nobody:***@{server.Host}:{server.Port}/postgres: PostgreSQL refused the login: ", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
