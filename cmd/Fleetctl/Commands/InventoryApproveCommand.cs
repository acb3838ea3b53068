using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl inventory approve [SERIAL…] [--site S] [--rack R] [--hardware-type T] [--all]</c>: makes
/// machines that registered through serve (state new) available to pools. All or nothing: a named
/// serial that is unknown, not new or outside the filters approves none.
/// </summary>
public static class InventoryApproveCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var serials = new Argument<string[]>("serials") { Description = "Hardware names (serial numbers) of new machines to approve.", Arity = ArgumentArity.ZeroOrMore };
        var site = new Option<string?>("--site") { Description = "Only new machines of this site." };
        var rack = new Option<string?>("--rack") { Description = "Only new machines in this rack." };
        var hardwareType = new Option<string?>("--hardware-type") { Description = "Only new machines of this hardware type." };
        var all = new Option<bool>("--all") { Description = "Approve every new machine (the filters still apply)." };
        var reason = new Option<string?>("--reason") { Description = "Why they are approved (kept in each machine's history)." };
        var command = new Command("approve", "Approve machines that registered through serve (state new), so pools can claim them.")
        {
            serials, site, rack, hardwareType, all, reason,
        };
        command.SetAction(async (parse, ct) =>
        {
            var approval = new Approval([.. parse.GetValue(serials) ?? []], parse.GetValue(site), parse.GetValue(rack), parse.GetValue(hardwareType));
            if (approval.IsEmpty && !parse.GetValue(all))
            {
                throw new FleetException("name the machines to approve (serials, --site, --rack or --hardware-type), or pass --all to approve every new machine");
            }

            var (_, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var approved = await database.Inventory.ApproveAsync(approval, InventoryCommand.Audit(parse.GetValue(reason) ?? "approved"), ct);
                if (approved.IsEmpty)
                {
                    throw new FleetException("no new machine matches; nothing approved (fleetctl inventory list --state new shows them)");
                }

                foreach (var machine in approved)
                {
                    await host.Out.WriteLineAsync($"machine {machine.HardwareName}: new → available");
                }

                await host.Out.WriteLineAsync($"approved {approved.Length} machine(s)");
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
