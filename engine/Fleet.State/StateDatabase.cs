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
        BootTasks = new DbBootTaskStore(backend);
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

    /// <summary>Install and sanitize tasks of machines and their installers' completions (<c>fleetctl serve</c> records them).</summary>
    public IBootTaskStore BootTasks { get; }

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
            _ => new SqliteBackend(location, createIfMissing: true),
        };
        return (await OpenAsync(backend, clock, async (b, ct) => await MigrationRunner.MigrateAsync(b, clock, ct), cancellationToken))!;
    }

    /// <summary>
    /// Opens the database only if that changes nothing: it exists and its schema is up to date. It
    /// creates no file and migrates nothing, so a command can open it while it still validates its
    /// input and leave no trace when the input is invalid. Null when the database would have to be
    /// created or migrated (<see cref="OpenAsync(string, string, TimeProvider, CancellationToken)"/>
    /// does that); failures are the same user errors as there.
    /// </summary>
    public static async Task<StateDatabase?> OpenIfCurrentAsync(string inventory, string fleetDirectory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var location = InventoryLocation.Parse(inventory, fleetDirectory);
        StateBackend backend;
        if (location.Backend == StateBackendKind.Postgres)
        {
            backend = new PostgresBackend(location);
        }
        else if (new FileInfo(location.ConnectionTarget) is { Exists: true, Length: > 0 })
        {
            backend = new SqliteBackend(location, createIfMissing: false);
        }
        else
        {
            return null;
        }

        return await OpenAsync(backend, clock, MigrationRunner.CheckAsync, cancellationToken);
    }

    /// <summary>
    /// Whether the database answers and its schema is the one this binary knows (no migration
    /// pending, none newer): what a readiness probe asks. A database that is down or refuses us is a
    /// <see cref="Engine.Diagnostics.FleetException"/>, as on open.
    /// </summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken) =>
        await MigrationRunner.CheckAsync(Backend, cancellationToken) is not null;

    public ValueTask DisposeAsync() => Backend.DisposeAsync();

    /// <summary>Checks or migrates the schema with <paramref name="schema"/>; the backend is released unless a database is returned.</summary>
    private static async Task<StateDatabase?> OpenAsync(StateBackend backend, TimeProvider clock, Func<StateBackend, CancellationToken, Task<MigrationResult?>> schema, CancellationToken cancellationToken)
    {
        try
        {
            if (await schema(backend, cancellationToken) is { } migration)
            {
                return new StateDatabase(backend, migration, clock);
            }
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }

        await backend.DisposeAsync();
        return null;
    }

    private static string Folder(StateBackendKind kind) => kind == StateBackendKind.Postgres ? "postgres" : "sqlite";
}
