using System.Collections.Immutable;
using System.CommandLine;
using Fleet.Engine.GitOps;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl codeowners</c>: the CODEOWNERS lines that give each pool and role file to its role's
/// owner, to paste into (or check against) the repository's CODEOWNERS file.
/// </summary>
public static class CodeownersCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var command = new Command("codeowners", "Print CODEOWNERS lines giving each pool and role file to its role's owning team (owners: in fleet.yaml maps teams to handles).");
        command.SetAction(async (parse, ct) =>
        {
            var directory = global.FleetDirectory(parse, host);
            var desired = host.Runtime.Loader.LoadOrThrow(new DirectorySource(directory));
            await host.Out.WriteAsync(CodeOwners.Render(Generate(desired, directory)).AsMemory(), ct);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The generated block, with paths relative to the repository root when the fleet is in one.</summary>
    internal static ImmutableArray<string> Generate(DesiredState desired, string fleetDirectory) =>
        CodeOwners.Generate(desired, desired.Fleet.Owners, GitHistory.PathInRepository(fleetDirectory));
}
