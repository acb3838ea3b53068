using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleetctl.Commands;

/// <summary><c>fleetctl inventory list|show|history</c>: read-only views of the inventory.</summary>
public static class InventoryQueryCommands
{
    public static Command CreateList(GlobalOptions global, CliHost host)
    {
        var site = new Option<string?>("--site") { Description = "Only machines of this site." };
        var state = new Option<string?>("--state") { Description = $"Only machines in this state: {MachineStates.Spellings}." };
        var pool = new Option<string?>("--pool") { Description = "Only machines of this pool." };
        var role = new Option<string?>("--role") { Description = "Only machines of this role." };
        var format = InventoryCommand.FormatOption("table", "table", "json");
        var command = new Command("list", "List machines, ordered by hardware name.") { site, state, pool, role, format };
        command.SetAction(async (parse, ct) =>
        {
            MachineState? wanted = null;
            if (parse.GetValue(state) is { } text)
            {
                wanted = MachineStates.TryParse(text, out var parsed)
                    ? parsed
                    : throw new FleetException($"--state: unknown state '{text}'; expected {MachineStates.Spellings}");
            }

            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var filter = new MachineFilter(parse.GetValue(site), wanted, parse.GetValue(pool), parse.GetValue(role));
                if (parse.GetValue(format) == "json")
                {
                    await InventoryRenderer.WriteJsonAsync(host.Out, database.Inventory.StreamMachinesAsync(filter, ct), array: true, ct);
                }
                else
                {
                    await InventoryRenderer.WriteTableAsync(host.Out, await database.Inventory.ListMachinesAsync(filter, ct));
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }

    public static Command CreateShow(GlobalOptions global, CliHost host)
    {
        var serial = new Argument<string>("serial") { Description = "The machine's hardware name (serial number)." };
        var format = InventoryCommand.FormatOption("text", "text", "json");
        var command = new Command("show", "Show one machine.") { serial, format };
        command.SetAction(async (parse, ct) =>
        {
            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var machine = await InventoryCommand.RequireMachineAsync(database.Inventory, parse.GetValue(serial)!, ct);
                await (parse.GetValue(format) == "json"
                    ? InventoryRenderer.WriteJsonAsync(host.Out, [machine], array: false, ct)
                    : InventoryRenderer.WriteDetailAsync(host.Out, machine));
                return ExitCodes.Success;
            }
        });
        return command;
    }

    public static Command CreateHistory(GlobalOptions global, CliHost host)
    {
        var serial = new Argument<string>("serial") { Description = "The machine's hardware name (serial number)." };
        var format = InventoryCommand.FormatOption("table", "table", "json");
        var command = new Command("history", "Show every recorded change of one machine: who, when, from → to, why, job and commit.") { serial, format };
        command.SetAction(async (parse, ct) =>
        {
            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var name = parse.GetValue(serial)!;
                await InventoryCommand.RequireMachineAsync(database.Inventory, name, ct);
                var entries = await database.Inventory.ListAuditAsync(name, ct);
                await (parse.GetValue(format) == "json"
                    ? InventoryRenderer.WriteHistoryJsonAsync(host.Out, entries, ct)
                    : InventoryRenderer.WriteHistoryTableAsync(host.Out, entries));
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
