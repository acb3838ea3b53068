using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleetctl.GitOps;
using Fleetctl.Rendering;

namespace Fleetctl.Commands;

/// <summary><c>fleetctl validate [--format text|json]</c>: loads the fleet directory and reports every problem at once.</summary>
public static class ValidateCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (file:line:column: error: message) or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var source = new SourceOption();
        var codeowners = new Option<string?>("--codeowners") { Description = "Also check that this CODEOWNERS file holds the lines fleetctl codeowners generates." };
        var command = new Command("validate", "Check the fleet's YAML against the schemas and the rules across documents.") { format, codeowners };
        source.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = parse.GetValue(format) == "json";
            LoadResult result;
            try
            {
                using var opened = source.Open(parse, global.FleetDirectory(parse, host));
                result = host.Runtime.Loader.Load(opened.Source);
                if (result.Desired is { } loaded && parse.GetValue(codeowners) is { } file)
                {
                    result = result with { Diagnostics = [.. result.Diagnostics, .. CheckCodeowners(loaded, global.FleetDirectory(parse, host), Path.GetFullPath(file, host.CurrentDirectory), file)] };
                }
            }
            catch (FleetException e) when (json)
            {
                result = new LoadResult(null, e.Diagnostics);
            }

            if (json)
            {
                await DiagnosticsRenderer.WriteJsonAsync(host.Out, result.Diagnostics, ct);
            }
            else
            {
                await DiagnosticsRenderer.WriteTextAsync(host.Err, result.Diagnostics, host.UseColor(parse.GetValue(global.NoColor)));
                await (result.Desired is { } desired
                    ? host.Out.WriteLineAsync($"fleet '{desired.Fleet.Name}' is valid: {Count(desired.Fleet.Sites.Length, "site")}, {Count(desired.Roles.Length, "role")}, {Count(desired.Pools.Length, "pool")}, {Count(desired.Zones.Length, "zone")}")
                    : host.Err.WriteLineAsync(Count(result.Errors.Count(), "error")));
            }

            return result.Succeeded ? ExitCodes.Success : ExitCodes.Error;
        });
        return command;
    }

    private static IEnumerable<Diagnostic> CheckCodeowners(DesiredState desired, string fleetDirectory, string path, string shown)
    {
        if (!File.Exists(path))
        {
            return [Diagnostic.Error(SourceLocation.OfFile(shown), "CODEOWNERS file not found")];
        }

        var expected = CodeownersCommand.Generate(desired, fleetDirectory);
        return CodeOwners.Compare(expected, CodeOwners.ExtractBlock(File.ReadAllText(path)))
            .Select(finding => Diagnostic.Error(SourceLocation.OfFile(shown), $"CODEOWNERS is out of date ({finding}); regenerate it with fleetctl codeowners"));
    }

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
