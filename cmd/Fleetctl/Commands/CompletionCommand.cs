using System.CommandLine;
using Fleetctl.Completion;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl completion bash|zsh|fish</c>: prints the shell's completion script. The scripts are
/// small and ask fleetctl's <c>[suggest]</c> directive, so they never go out of date; the values it
/// cannot know from the command tree (pool and site names) come from <see cref="FleetNames"/>.
/// </summary>
public static class CompletionCommand
{
    private static readonly string[] Shells = ["bash", "zsh", "fish"];

    public static Command Create(GlobalOptions global, CliHost host)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong(Shells);
        var command = new Command("completion", "Print the shell completion script for bash, zsh or fish.") { shell };
        command.SetAction(async (parse, ct) =>
        {
            await host.Out.WriteAsync(Script(parse.GetRequiredValue(shell)).AsMemory(), ct);
            return ExitCodes.Success;
        });
        _ = global;
        return command;
    }

    public static string Script(string shell)
    {
        using var stream = typeof(CompletionCommand).Assembly.GetManifestResourceStream($"completion/fleetctl.{shell}")
            ?? throw new ArgumentException($"no completion script for {shell}", nameof(shell));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Completes the values that come from the fleet rather than from the command tree: pool names for
    /// every <c>--pool</c> and <c>--exclude</c>, site names for every <c>--site</c>, read from the fleet
    /// directory the command line names (<c>-C DIR</c>) or the current one.
    /// </summary>
    public static void AddFleetValues(Command root, GlobalOptions global, CliHost host)
    {
        foreach (var command in Walk(root))
        {
            foreach (var option in command.Options)
            {
                Func<string, IReadOnlyList<string>>? names = option.Name switch
                {
                    "--pool" or "--exclude" => FleetNames.Pools,
                    "--site" => FleetNames.Sites,
                    _ => null,
                };
                if (names is not null)
                {
                    option.CompletionSources.Add(context =>
                        names(global.FleetDirectory(context.ParseResult, host)).Select(n => new System.CommandLine.Completions.CompletionItem(n)));
                }
            }
        }
    }

    /// <summary>A command and all its subcommands, depth first in declaration order.</summary>
    public static IEnumerable<Command> Walk(Command command) =>
        [command, .. command.Subcommands.SelectMany(Walk)];
}
