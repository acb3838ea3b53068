using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.State;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests;

/// <summary>
/// A copy of the quickstart fleet with its London recon report ingested into a real SQLite
/// inventory: the starting point of tests that drive providers directly rather than the CLI.
/// </summary>
public abstract class QuickstartInventory(string prefix) : IAsyncLifetime
{
    protected string Fleet { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    protected StateDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Examples.CopyTo("quickstart", Fleet);
        Database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", Fleet, CancellationToken.None);
        var catalog = ReconCatalog.From(Fleetctl.FleetRuntime.Standard.Loader.LoadOrThrow(new DirectorySource(Fleet)).Fleet);
        var (records, _) = ReconReader.Read([new ReconInput("recon/lon.json", await File.ReadAllBytesAsync(Path.Combine(Fleet, "recon", "lon.json")))], catalog);
        await Database.Inventory.IngestAsync(records, new AuditContext("test"), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Fleet, recursive: true);
    }
}
