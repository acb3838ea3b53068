using System.CommandLine;

namespace Fleetctl.Commands;

/// <summary><c>fleetctl schema [KIND]</c>: prints the JSON Schemas the YAML is validated against.</summary>
public static class SchemaCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        _ = global;
        var kind = new Argument<string?>("kind") { Description = "A kind (Fleet, Role, Pool, Zone); all when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("schema", "Print the JSON Schema of a YAML kind.") { kind };
        command.SetAction(async (parse, ct) =>
        {
            await host.Out.WriteLineAsync("not implemented yet");
            return ExitCodes.Error;
        });
        return command;
    }
}
