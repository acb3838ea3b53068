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
    public async Task A_login_the_server_refuses_is_a_clear_error_without_the_password()
    {
        var server = new NpgsqlConnectionStringBuilder(Tests.PostgresProvider.ServerConnectionString);
        var inventory = $"postgres://nobody:hunter2@{server.Host}:{server.Port}/postgres";

        var error = await Assert.ThrowsAsync<FleetException>(() => StateDatabase.OpenAsync(inventory, directory, CancellationToken.None));

        Assert.StartsWith($"inventory postgres://nobody:***@{server.Host}:{server.Port}/postgres: PostgreSQL refused the login: ", error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
