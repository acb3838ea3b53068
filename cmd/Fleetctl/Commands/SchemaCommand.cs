using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Validation;

namespace Fleetctl.Commands;

/// <summary><c>fleetctl schema [KIND]</c>: prints the JSON Schemas the YAML is validated against (for editors).</summary>
public static class SchemaCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        _ = global;
        var kind = new Argument<string?>("kind") { Description = "A kind (Fleet, Role, Pool, Zone); all when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("schema", "Print the JSON Schema of a YAML kind.") { kind };
        command.SetAction(async (parse, ct) =>
        {
            var requested = parse.GetValue(kind);
            if (requested is null)
            {
                // Several schemas: one JSON array, so the output stays one parseable document.
                var all = FleetKinds.All.Select(k => host.Runtime.Catalog.Schemas.Text(k).TrimEnd());
                await host.Out.WriteLineAsync($"[\n{string.Join(",\n", all)}\n]".AsMemory(), ct);
                return ExitCodes.Success;
            }

            var found = FleetKinds.Find(requested)
                ?? throw new FleetException($"unknown kind '{requested}'; expected one of {string.Join(", ", FleetKinds.All)}");
            await host.Out.WriteLineAsync(host.Runtime.Catalog.Schemas.Text(found).TrimEnd().AsMemory(), ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
