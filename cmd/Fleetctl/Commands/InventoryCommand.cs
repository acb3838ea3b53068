using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.State;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl inventory …</c>: the machine inventory (the state database named by fleet.yaml's
/// <c>inventory:</c> or FLEET_INVENTORY). Subcommands are in the Inventory*Command files.
/// </summary>
public static class InventoryCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var command = new Command("inventory", "Machines in the inventory: ingest recon reports, approve registered machines, list, show, history, state changes.");
        command.Subcommands.Add(CreateMigrate(global, host));
        command.Subcommands.Add(InventoryIngestCommand.Create(global, host));
        command.Subcommands.Add(InventoryApproveCommand.Create(global, host));
        command.Subcommands.Add(InventoryQueryCommands.CreateList(global, host));
        command.Subcommands.Add(InventoryQueryCommands.CreateShow(global, host));
        command.Subcommands.Add(InventoryQueryCommands.CreateHistory(global, host));
        command.Subcommands.Add(InventoryStateCommands.CreateMarkBroken(global, host));
        command.Subcommands.Add(InventoryStateCommands.CreateRepair(global, host));
        return command;
    }

    /// <summary>
    /// Loads the fleet (its sites and hardware validate recon records; its <c>inventory:</c> names the
    /// database unless FLEET_INVENTORY overrides it) and opens the state database, migrating it.
    /// </summary>
    internal static Task<(DesiredState Desired, StateDatabase Database)> OpenAsync(GlobalOptions global, ParseResult parse, CliHost host, CancellationToken cancellationToken) =>
        OpenAsync(global, parse, host, new DirectorySource(global.FleetDirectory(parse, host)), cancellationToken);

    /// <summary>The same, with the desired state read from <paramref name="source"/> (a git commit with <c>--ref</c>).</summary>
    internal static async Task<(DesiredState Desired, StateDatabase Database)> OpenAsync(GlobalOptions global, ParseResult parse, CliHost host, IFleetSource source, CancellationToken cancellationToken)
    {
        var opened = await OpenedFleet.OpenAsync(source, global.FleetDirectory(parse, host), host, readMachines: false, cancellationToken);
        return (opened.Desired, opened.Database);
    }

    internal static DesiredState LoadFleet(GlobalOptions global, ParseResult parse, CliHost host) =>
        host.Runtime.Loader.LoadOrThrow(new DirectorySource(global.FleetDirectory(parse, host)));

    internal static Task<StateDatabase> OpenDatabaseAsync(DesiredState desired, GlobalOptions global, ParseResult parse, CliHost host, CancellationToken cancellationToken) =>
        StateDatabase.OpenAsync(
            InventoryLocation.Resolve(desired.Fleet.Inventory, host.GetEnvironment),
            global.FleetDirectory(parse, host),
            host.Clock,
            cancellationToken);

    internal static AuditContext Audit(string? reason) => new(AuditContext.LocalActor(), reason);

    internal static async Task<Machine> RequireMachineAsync(IInventoryStore store, string serial, CancellationToken cancellationToken) =>
        await store.GetMachineAsync(serial, cancellationToken) ?? throw new FleetException($"machine {serial} is not in the inventory");

    internal static Option<string> FormatOption(string defaultFormat, params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: {string.Join(" or ", formats)}.",
            DefaultValueFactory = _ => defaultFormat,
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    private static Command CreateMigrate(GlobalOptions global, CliHost host)
    {
        var command = new Command("migrate", "Apply the inventory's schema migrations (also done automatically) and print the schema version.");
        command.SetAction(async (parse, ct) =>
        {
            var (_, database) = await OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var migration = database.Migration;
                var applied = migration.Applied.IsEmpty
                    ? "up to date"
                    : "applied " + string.Join(", ", migration.Applied.Select(m => $"{m.Version:D4}_{m.Name}"));
                await host.Out.WriteLineAsync($"inventory {database.Description}: schema version {migration.SchemaVersion} ({applied})");
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
