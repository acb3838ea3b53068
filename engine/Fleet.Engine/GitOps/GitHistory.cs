using Fleet.Engine.Diagnostics;
using LibGit2Sharp;

namespace Fleet.Engine.GitOps;

public enum Ancestry
{
    /// <summary>The commit is the last applied one.</summary>
    Same,

    /// <summary>The commit descends from the last applied one: a normal roll-forward.</summary>
    Descendant,

    /// <summary>The commit does not contain the last applied one: applying it would roll the fleet back.</summary>
    NotDescendant,
}

/// <summary>History questions about the repository that holds a fleet: ancestry, and fetching a remote branch.</summary>
public static class GitHistory
{
    /// <summary>
    /// Whether <paramref name="commit"/> descends from <paramref name="lastApplied"/>. A last-applied
    /// commit missing from a shallow clone is a user error that says how to fetch more history.
    /// </summary>
    public static Ancestry Compare(string fleetDirectory, string commit, string lastApplied)
    {
        if (commit == lastApplied)
        {
            return Ancestry.Same;
        }

        using var repository = Open(fleetDirectory);
        var head = repository.Lookup<Commit>(commit)
            ?? throw new FleetException($"commit {commit} is not in the repository");
        var previous = repository.Lookup<Commit>(lastApplied);
        if (previous is null)
        {
            var how = repository.Info.IsShallow
                ? "the clone is shallow: fetch more history (git fetch --unshallow, or fetch-depth: 0 in CI)"
                : "fetch the branch it was applied from (git fetch origin)";
            throw new FleetException(
                $"the last applied commit {lastApplied[..Math.Min(12, lastApplied.Length)]} is not in this repository, so fleetctl cannot check that {commit[..12]} descends from it; {how}");
        }

        var mergeBase = repository.ObjectDatabase.FindMergeBase(head, previous);
        return mergeBase?.Sha == previous.Sha ? Ancestry.Descendant : Ancestry.NotDescendant;
    }

    /// <summary>
    /// Fetches <paramref name="branch"/> from <paramref name="remote"/> and returns the fetched
    /// commit id (the remote-tracking ref <c>refs/remotes/REMOTE/BRANCH</c> is updated).
    /// </summary>
    public static string Fetch(string fleetDirectory, string remote, string branch)
    {
        using var repository = Open(fleetDirectory);
        var origin = repository.Network.Remotes[remote]
            ?? throw new FleetException($"the repository has no remote named '{remote}' (git remote -v lists them)");
        var tracking = $"refs/remotes/{remote}/{branch}";
        try
        {
            Commands.Fetch(repository, origin.Name, [$"+refs/heads/{branch}:{tracking}"], new FetchOptions(), logMessage: null);
        }
        catch (LibGit2SharpException e)
        {
            throw new FleetException($"fetching {branch} from {remote} ({Redact(origin.Url)}) failed: {e.Message}");
        }

        var fetched = repository.Refs[tracking]?.ResolveToDirectReference()?.TargetIdentifier
            ?? throw new FleetException($"the remote '{remote}' has no branch '{branch}'");
        return fetched;
    }

    /// <summary>
    /// The fleet directory relative to the root of the repository that holds it ("" at the root, or
    /// when it is in no repository): CODEOWNERS paths and commit trees are rooted there.
    /// </summary>
    public static string PathInRepository(string fleetDirectory)
    {
        var directory = Path.GetFullPath(fleetDirectory);
        if (Repository.Discover(directory) is not { } gitDirectory)
        {
            return string.Empty;
        }

        using var repository = new Repository(gitDirectory);
        return PathInRepository(repository, directory);
    }

    internal static string PathInRepository(Repository repository, string directory)
    {
        var workdir = repository.Info.WorkingDirectory
            ?? throw new FleetException("--ref with a bare repository is not supported: run fleetctl inside a clone");
        var relative = Path.GetRelativePath(Path.GetFullPath(workdir), directory).Replace('\\', '/');
        return relative == "." ? string.Empty : relative;
    }

    private static Repository Open(string fleetDirectory)
    {
        var gitDirectory = Repository.Discover(Path.GetFullPath(fleetDirectory))
            ?? throw new FleetException($"{fleetDirectory} is not inside a git repository");
        try
        {
            return new Repository(gitDirectory);
        }
        catch (LibGit2SharpException e)
        {
            throw new FleetException($"cannot open the git repository at {gitDirectory}: {e.Message}");
        }
    }

    /// <summary>Remote URLs may carry credentials (https://user:token@host/…); never print them.</summary>
    internal static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;
}
