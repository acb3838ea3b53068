using System.Collections.Immutable;
using Fleetctl;

namespace Fleetctl.Tests;

/// <summary>Runs fleetctl in-process with captured output, as a user would from <paramref name="directory"/>.</summary>
public sealed record CliRun(int ExitCode, string Out, string Err)
{
    public static async Task<CliRun> RunAsync(string directory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(string.Empty), ImmutableDictionary<string, string>.Empty, directory, IsTerminal: false, TimeProvider.System);
        var exitCode = await Cli.RunAsync(args, host, CancellationToken.None);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
