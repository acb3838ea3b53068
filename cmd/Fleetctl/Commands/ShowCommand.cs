using System.CommandLine;
using Fleet.Engine.Planning;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl show PLANFILE [--format text|json|markdown]</c>: renders a saved plan, after
/// verifying it (a truncated, edited or unknown-version file is refused, exit 1).
/// </summary>
public static class ShowCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var file = new Argument<string>("planfile") { Description = "A plan file written by fleetctl plan --out." };
        var format = PlanCommand.FormatOption();
        var command = new Command("show", "Show a saved plan file.") { file, format };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var plan = await PlanFile.ReadAsync(Path.GetFullPath(path, host.CurrentDirectory), path, host.Runtime.Catalog.Actions, ct);
            await PlanCommand.Render(parse, format, global, host).RenderAsync(plan, host.Out, ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
