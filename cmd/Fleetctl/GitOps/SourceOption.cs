using System.CommandLine;
using Fleet.Engine.Loading;
using Fleet.Engine.Planning;

namespace Fleetctl.GitOps;

/// <summary>
/// <c>--ref REF</c>: read the desired state from a commit of the fleet's git repository instead of
/// the working tree (validate, plan, apply, reconcile). The state database stays where the working
/// fleet directory's <c>inventory:</c> says.
/// </summary>
public sealed class SourceOption
{
    public Option<string?> Ref { get; } = new("--ref")
    {
        Description = "Read the desired state from this git commit, branch or tag, never from the working tree.",
    };

    public void AddTo(Command command) => command.Options.Add(Ref);

    public FleetSourceHandle Open(ParseResult parse, string fleetDirectory) => FleetSourceHandle.Open(fleetDirectory, parse.GetValue(Ref));
}

/// <summary>An opened fleet source and how a plan names it (<c>worktree</c>, or <c>git</c> with commit and ref).</summary>
public sealed class FleetSourceHandle : IDisposable
{
    private FleetSourceHandle(IFleetSource source, PlanSource planSource)
    {
        Source = source;
        PlanSource = planSource;
    }

    public IFleetSource Source { get; }

    public PlanSource PlanSource { get; }

    public static FleetSourceHandle Open(string fleetDirectory, string? gitRef)
    {
        if (gitRef is null)
        {
            return new FleetSourceHandle(new DirectorySource(fleetDirectory), PlanSource.Worktree);
        }

        var git = GitCommitSource.Open(fleetDirectory, gitRef);
        return new FleetSourceHandle(git, PlanSource.Git(git.Commit, git.Reference));
    }

    public void Dispose() => (Source as IDisposable)?.Dispose();
}
