using Fleet.Engine.Diagnostics;
using Fleetctl.Rendering;

namespace Fleetctl;

/// <summary>
/// Runs a command body and turns failures into exit codes: a <see cref="FleetException"/> is a user
/// error (its diagnostics, exit 1); anything else is a bug, reported in one line (the stack trace
/// only with FLEET_DEBUG=1).
/// </summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(CliHost host, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (FleetException e)
        {
            foreach (var diagnostic in e.Diagnostics)
            {
                // Messages quote input (recon fields, YAML values, server errors): never raw to the terminal.
                await host.Err.WriteLineAsync(TerminalText.Clean(diagnostic.ToString()));
            }

            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            await host.Err.WriteLineAsync("error: cancelled");
            return ExitCodes.Error;
        }
#pragma warning disable CA1031 // The last line of defence: no stack trace reaches the user.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await host.Err.WriteLineAsync(TerminalText.Clean($"error: internal error ({e.GetType().Name}): {e.Message}"));
            if (host.GetEnvironment("FLEET_DEBUG") is not null)
            {
                await host.Err.WriteLineAsync(e.ToString());
            }

            return ExitCodes.Error;
        }
    }
}
