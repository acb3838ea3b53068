using System.CommandLine;
using Fleetctl.Rendering;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl man-page</c> (hidden): prints fleetctl(1) in roff, for the release archive
/// (tools/release.sh) and for <c>fleetctl man-page | man -l -</c>.
/// </summary>
public static class ManPageCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        _ = global;
        var command = new Command("man-page", "Print the fleetctl(1) manual page in roff.") { Hidden = true };
        command.SetAction(async (_, ct) =>
        {
            await host.Out.WriteAsync(ManPage.Render(Cli.Build(host), BuildInfo.Current).AsMemory(), ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
