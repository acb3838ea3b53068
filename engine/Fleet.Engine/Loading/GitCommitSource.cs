using Fleet.Engine.Diagnostics;
using LibGit2Sharp;

namespace Fleet.Engine.Loading;

/// <summary>
/// Reads a fleet directory as it is in one commit of the git repository that contains it, never
/// from the working tree, so what is planned and applied is exactly what was reviewed. The fleet
/// directory may be a subdirectory of the repository; the same subdirectory is read at the commit.
/// </summary>
public sealed class GitCommitSource : IFleetSource, IDisposable
{
    private readonly Repository _repository;
    private readonly Dictionary<string, Blob> _blobs;
    private readonly IReadOnlyList<string> _files;

    private GitCommitSource(Repository repository, Commit commit, string? canonicalReference, string prefix)
    {
        _repository = repository;
        Commit = commit.Sha;
        Reference = canonicalReference;
        _blobs = new Dictionary<string, Blob>(StringComparer.Ordinal);
        var root = prefix.Length == 0 ? commit.Tree : commit[prefix]?.Target as Tree;
        if (root is not null)
        {
            Collect(root, string.Empty, _blobs);
        }

        var files = _blobs.Keys.ToList();
        files.Sort(StringComparer.Ordinal);
        _files = files;
        Description = canonicalReference is null
            ? $"commit {commit.Sha[..12]}"
            : $"commit {commit.Sha[..12]} ({canonicalReference})";
    }

    /// <summary>The full 40-hex commit id.</summary>
    public string Commit { get; }

    /// <summary>The canonical name of the reference that was resolved (<c>refs/heads/main</c>), or null for a bare commit id.</summary>
    public string? Reference { get; }

    public string Description { get; }

    /// <summary>
    /// Opens the repository containing <paramref name="fleetDirectory"/> and resolves
    /// <paramref name="reference"/> (a branch, tag, remote branch, <c>HEAD</c>, or a commit id).
    /// </summary>
    public static GitCommitSource Open(string fleetDirectory, string reference)
    {
        var directory = Path.GetFullPath(fleetDirectory);
        var gitDirectory = Repository.Discover(directory)
            ?? throw new FleetException($"--ref needs a git repository, but {directory} is not inside one");
        Repository repository;
        try
        {
            repository = new Repository(gitDirectory);
        }
        catch (LibGit2SharpException e)
        {
            throw new FleetException($"cannot open the git repository at {gitDirectory}: {e.Message}");
        }

        try
        {
            var (commit, canonical) = Resolve(repository, reference);
            var prefix = GitOps.GitHistory.PathInRepository(repository, directory);
            return new GitCommitSource(repository, commit, canonical, prefix);
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    public IReadOnlyList<string> ListFiles() => _files;

    public bool Exists(string path) => _blobs.ContainsKey(path);

    public long GetSize(string path) => Find(path).Size;

    public byte[] ReadAllBytes(string path)
    {
        using var stream = Find(path).GetContentStream();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public void Dispose() => _repository.Dispose();

    private Blob Find(string path) =>
        _blobs.TryGetValue(path, out var blob) ? blob : throw new FileNotFoundException($"{path} is not in {Description}", path);

    private static (Commit Commit, string? Canonical) Resolve(Repository repository, string reference)
    {
        GitObject? target;
        string? canonical = null;
        try
        {
            var named = new[] { reference, "refs/heads/" + reference, "refs/tags/" + reference, "refs/remotes/" + reference }
                .Select(name => FindReference(repository, name))
                .FirstOrDefault(r => r is not null);
            if (named is not null)
            {
                canonical = named.ResolveToDirectReference()?.CanonicalName ?? named.CanonicalName;
                target = named.ResolveToDirectReference()?.Target;
            }
            else
            {
                target = repository.Lookup(reference);
            }
        }
        catch (LibGit2SharpException e)
        {
            throw new FleetException($"cannot resolve git ref '{reference}': {e.Message}");
        }

        var commit = PeelToCommit(target);
        if (commit is null)
        {
            var hint = repository.Info.IsShallow ? " (the repository is a shallow clone: fetch more history, e.g. git fetch --unshallow)" : string.Empty;
            throw new FleetException($"unknown git ref '{reference}': no branch, tag or commit of that name{hint}");
        }

        return (commit, canonical);
    }

    private static Reference? FindReference(Repository repository, string name)
    {
        try
        {
            return repository.Refs[name];
        }
        catch (InvalidSpecificationException)
        {
            return null; // not a valid full reference name ("main"): try the next spelling
        }
    }

    private static Commit? PeelToCommit(GitObject? target)
    {
        try
        {
            return target?.Peel<Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null; // a tree or blob id: not a commit
        }
    }

    private static void Collect(Tree tree, string prefix, Dictionary<string, Blob> blobs)
    {
        foreach (var entry in tree)
        {
            if (entry.Name.StartsWith('.'))
            {
                continue; // dot-folders (.git, .fleet, .github) and dot-files are not fleet documents
            }

            var path = prefix + entry.Name;
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Tree:
                    Collect((Tree)entry.Target, path + "/", blobs);
                    break;
                case TreeEntryTargetType.Blob:
                    blobs[path] = (Blob)entry.Target;
                    break;
                default:
                    break; // submodules are not read
            }
        }
    }
}
