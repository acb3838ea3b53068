using Fleet.Engine.Execution;
using Fleet.Engine.GitOps;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Locking;
using Fleet.State.Backends;
using Fleet.State.History;
using Fleet.State.Inventory;
using Fleet.State.Jobs;
using Fleet.State.Ledger;
using Fleet.State.Locking;
using Fleet.State.Migrations;

namespace Fleet.State;

/// <summary>
/// The one state database of a fleet, opened from its inventory reference and migrated on open.
/// It hands out the stores of each area; they share its <see cref="Backend"/> (connections and
/// dialect), so jobs, locks and the ledger are added as sibling stores next to <see cref="Inventory"/>.
/// </summary>
public sealed class StateDatabase : IAsyncDisposable
{
    private StateDatabase(StateBackend backend, MigrationResult migration, TimeProvider clock)
    {
        Backend = backend;
        Migration = migration;
        Clock = clock;
        Inventory = new InventoryStore(backend, clock);
        Ledger = new DbCommitLedger(backend);
        Jobs = new DbJobBroker(backend);
        JobActivity = new DbJobActivity(backend);
        Reservations = new DbTargetReservations(backend);
        ApplyLock = new DbApplyLock(backend, clock);
        ApplyHistory = new DbApplyHistory(backend);
    }

    public IInventoryStore Inventory { get; }

    /// <summary>The applied-commit ledger: which commits were applied, in order.</summary>
    public ICommitLedger Ledger { get; }
    /// <summary>The job broker: every change of an apply as a job that workers claim with a lease.</summary>
    public IJobBroker Jobs { get; }

    /// <summary>What an apply's unfinished jobs are doing (read-only): whether workers take them, which lost their worker.</summary>
    public IJobActivity JobActivity { get; }

    /// <summary>Targets the running apply's plan and unfinished jobs hold, seen by every process (replacements pass over them).</summary>
    public ITargetReservations Reservations { get; }

    /// <summary>The fleet-wide apply lock, released when its holder's process dies.</summary>
    public IApplyLock ApplyLock { get; }

    public IApplyHistory ApplyHistory { get; }

    /// <summary>The schema version after opening, and the migrations this open applied.</summary>
    public MigrationResult Migration { get; }

    public StateBackendKind Kind => Backend.Location.Backend;

    /// <summary>Where the database is, safe to print (password redacted).</summary>
    public string Description => Backend.Location.Display;

    /// <summary>The latest schema version this binary knows for a backend.</summary>
    public static int LatestSchemaVersion(StateBackendKind kind) =>
        MigrationRunner.Embedded(Folder(kind)) is { IsEmpty: false } migrations ? migrations[^1].Version : 0;

    internal StateBackend Backend { get; }

    internal TimeProvider Clock { get; }

    /// <summary>
    /// Opens (creating a SQLite file if needed) and migrates the database an inventory reference
    /// names. Every failure a user can fix (unparseable reference, server down, password refused,
    /// not a database, schema newer than this binary) is a <see cref="Engine.Diagnostics.FleetException"/>
    /// with the password redacted.
    /// </summary>
    public static Task<StateDatabase> OpenAsync(string inventory, string fleetDirectory, CancellationToken cancellationToken) =>
        OpenAsync(inventory, fleetDirectory, TimeProvider.System, cancellationToken);

    public static async Task<StateDatabase> OpenAsync(string inventory, string fleetDirectory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var location = InventoryLocation.Parse(inventory, fleetDirectory);
        StateBackend backend = location.Backend switch
        {
            StateBackendKind.Postgres => new PostgresBackend(location),
            _ => new SqliteBackend(location),
        };
        try
        {
            var migration = await MigrationRunner.MigrateAsync(backend, clock, cancellationToken);
            return new StateDatabase(backend, migration, clock);
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Backend.DisposeAsync();

    private static string Folder(StateBackendKind kind) => kind == StateBackendKind.Postgres ? "postgres" : "sqlite";
}
