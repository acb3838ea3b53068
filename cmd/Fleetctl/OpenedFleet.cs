using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.State;

namespace Fleetctl;

/// <summary>
/// A command's desired state and state database, loaded and opened at the same time. Validating the
/// YAML and opening the database (for a plan, also reading every machine) each take a good part of
/// a command, and the machine has a second core. The database is opened ahead only when that
/// changes nothing (<see cref="StateDatabase.OpenIfCurrentAsync"/>: it exists and its schema is
/// current), so invalid YAML still leaves no trace; otherwise it is created or migrated once the
/// YAML is valid, as before. What a user sees is the same: the YAML's diagnostics when it is
/// invalid, else the database's error, with the same messages.
/// </summary>
internal sealed class OpenedFleet : IAsyncDisposable
{
    /// <summary>Cancels the read ahead when the command ends before it used it.</summary>
    private readonly CancellationTokenSource? ahead;

    private OpenedFleet(DesiredState desired, StateDatabase database, Task<ImmutableArray<Machine>>? machines, CancellationTokenSource? ahead)
    {
        Desired = desired;
        Database = database;
        Machines = machines;
        this.ahead = ahead;
    }

    public DesiredState Desired { get; }

    public StateDatabase Database { get; }

    /// <summary>Every machine, read while the YAML was validated; null when the database could only be opened after.</summary>
    public Task<ImmutableArray<Machine>>? Machines { get; }

    /// <summary>
    /// Loads the desired state from <paramref name="source"/> (diagnostics as a <see cref="Fleet.Engine.Diagnostics.FleetException"/>)
    /// and opens the database its <c>inventory:</c> or FLEET_INVENTORY names, migrating it when needed.
    /// </summary>
    /// <param name="readMachines">Also read every machine ahead (<see cref="Machines"/>), for a plan.</param>
    public static async Task<OpenedFleet> OpenAsync(IFleetSource source, string fleetDirectory, CliHost host, bool readMachines, CancellationToken cancellationToken)
    {
        // Peeked here, not on the other thread: a git source is not safe to read from two threads.
        var reference = InventoryAhead(source, host);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var early = reference is null
            ? null
            : Task.Run(() => OpenAheadAsync(reference, fleetDirectory, host.Clock, readMachines, cancel.Token), cancel.Token);
        DesiredState desired;
        try
        {
            desired = host.Runtime.Loader.LoadOrThrow(source);
        }
        catch
        {
            await AbandonAsync(early, cancel);
            throw;
        }

        var inventory = InventoryLocation.Resolve(desired.Fleet.Inventory, host.GetEnvironment);
        if (early is not null && inventory == reference)
        {
            (StateDatabase? Database, Task<ImmutableArray<Machine>>? Machines) opened;
            try
            {
                opened = await early;
            }
            catch
            {
                // The database's own error (unreachable, refused, newer schema): nothing was left open.
                cancel.Dispose();
                throw;
            }

            if (opened.Database is { } database)
            {
                if (opened.Machines is null)
                {
                    cancel.Dispose();
                    return new OpenedFleet(desired, database, null, null);
                }

                return new OpenedFleet(desired, database, opened.Machines, cancel);
            }
        }

        await AbandonAsync(early, cancel);
        return new OpenedFleet(desired, await StateDatabase.OpenAsync(inventory, fleetDirectory, host.Clock, cancellationToken), null, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (ahead is not null)
        {
            await ahead.CancelAsync();
            await SettleAsync(Machines);
            ahead.Dispose();
        }

        await Database.DisposeAsync();
    }

    /// <summary>The inventory reference as FLEET_INVENTORY or fleet.yaml gives it; null when fleet.yaml cannot tell yet.</summary>
    private static string? InventoryAhead(IFleetSource source, CliHost host)
    {
        string? configured = null;
        return host.GetEnvironment(InventoryLocation.EnvironmentVariable) is not null || FleetLoader.TryPeekInventory(source, out configured)
            ? InventoryLocation.Resolve(configured, host.GetEnvironment)
            : null;
    }

    private static async Task<(StateDatabase? Database, Task<ImmutableArray<Machine>>? Machines)> OpenAheadAsync(
        string inventory, string fleetDirectory, TimeProvider clock, bool readMachines, CancellationToken cancellationToken)
    {
        var database = await StateDatabase.OpenIfCurrentAsync(inventory, fleetDirectory, clock, cancellationToken);
        return (database, database is not null && readMachines ? database.Inventory.ListMachinesAsync(null, cancellationToken) : null);
    }

    /// <summary>Stops the work ahead when the command does not use it, and releases what it opened.</summary>
    private static async Task AbandonAsync(Task<(StateDatabase? Database, Task<ImmutableArray<Machine>>? Machines)>? early, CancellationTokenSource cancel)
    {
        await cancel.CancelAsync();
        if (early is not null)
        {
            await SettleAsync(early);
            if (early.IsCompletedSuccessfully && early.Result.Database is { } database)
            {
                await SettleAsync(early.Result.Machines);
                await database.DisposeAsync();
            }
        }

        cancel.Dispose();
    }

    /// <summary>Waits for work whose outcome no longer matters: the command has failed, or has what it needs.</summary>
    private static async Task SettleAsync(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task;
        }
#pragma warning disable CA1031 // Whatever the abandoned work ran into, the command's own outcome is what gets reported.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
