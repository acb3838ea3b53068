using System.CommandLine;
using System.CommandLine.Invocation;

namespace Fleetctl;

/// <summary><c>fleetctl --version</c>: the version, commit and build date (System.CommandLine's own prints the version only).</summary>
internal sealed class VersionAction(CliHost host) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        host.Out.WriteLine(BuildInfo.Current.ToString());
        return ExitCodes.Success;
    }
}
