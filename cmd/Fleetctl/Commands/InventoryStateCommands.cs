using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl inventory mark-broken SERIAL --reason TEXT</c> and <c>inventory repair SERIAL</c>:
/// the two state changes an operator makes by hand. The store enforces the lifecycle.
/// </summary>
public static class InventoryStateCommands
{
    private const int Attempts = 3;

    public static Command CreateMarkBroken(GlobalOptions global, CliHost host)
    {
        var serial = SerialArgument();
        var reason = new Option<string>("--reason") { Description = "Why the machine is broken (kept in its history).", Required = true };
        var command = new Command("mark-broken", "Mark a machine broken; a pool it belongs to gets a replacement at the next apply.") { serial, reason };
        command.SetAction((parse, ct) => ChangeAsync(global, parse, host, parse.GetValue(serial)!, MachineState.Broken, parse.GetValue(reason), ct));
        return command;
    }

    public static Command CreateRepair(GlobalOptions global, CliHost host)
    {
        var serial = SerialArgument();
        var reason = new Option<string?>("--reason") { Description = "What was repaired (kept in its history)." };
        var command = new Command("repair", "Return a broken machine to the available machines.") { serial, reason };
        command.SetAction((parse, ct) => ChangeAsync(global, parse, host, parse.GetValue(serial)!, MachineState.Available, parse.GetValue(reason) ?? "repaired", ct));
        return command;
    }

    private static Argument<string> SerialArgument() => new("serial") { Description = "The machine's hardware name (serial number)." };

    private static async Task<int> ChangeAsync(GlobalOptions global, ParseResult parse, CliHost host, string serial, MachineState to, string? reason, CancellationToken cancellationToken)
    {
        var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, cancellationToken);
        await using (database)
        {
            var store = database.Inventory;
            for (var attempt = 1; ; attempt++)
            {
                var machine = await InventoryCommand.RequireMachineAsync(store, serial, cancellationToken);
                if (to == MachineState.Available && machine.State != MachineState.Broken)
                {
                    throw new FleetException($"machine {serial} is {machine.State.ToWire()}: only a broken machine can be repaired");
                }

                try
                {
                    var changed = await store.TransitionAsync(MachineTransition.From(machine, to), InventoryCommand.Audit(reason), cancellationToken);
                    await host.Out.WriteLineAsync($"machine {serial}: {machine.State.ToWire()} → {changed.State.ToWire()}");
                    return ExitCodes.Success;
                }
                catch (ConcurrencyConflictException e)
                {
                    // Someone else changed the machine between our read and our write: read it again.
                    if (attempt == Attempts)
                    {
                        throw new FleetException($"{e.Message}; try again");
                    }
                }
            }
        }
    }
}
