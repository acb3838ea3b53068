using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Loading;

/// <summary>
/// A fleet repository in a directory on disk. Dot-folders (<c>.git</c>, <c>.fleet</c>, …) and dot-files
/// are skipped, and symbolic links to directories are not followed, so a listing is finite and
/// never includes fleetctl's own state.
/// </summary>
public sealed class DirectorySource : IFleetSource
{
    private readonly string _root;

    /// <exception cref="FleetException">The directory does not exist.</exception>
    public DirectorySource(string directory)
    {
        if (!Path.IsPathFullyQualified(directory))
        {
            throw new ArgumentException("the fleet directory must be an absolute path", nameof(directory));
        }

        if (!Directory.Exists(directory))
        {
            throw new FleetException(File.Exists(directory)
                ? $"{directory} is a file, not a fleet directory"
                : $"fleet directory {directory} does not exist");
        }

        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
    }

    public string Description => _root;

    public IReadOnlyList<string> ListFiles()
    {
        var files = new List<string>();
        Walk(_root, string.Empty, files);
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public bool Exists(string path) => File.Exists(Resolve(path));

    public long GetSize(string path) => new FileInfo(Resolve(path)).Length;

    public byte[] ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(Resolve(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetException(SourceLocation.OfFile(path), $"cannot read file: {e.Message}");
        }
    }

    private static void Walk(string directory, string prefix, List<string> files)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }

            var relative = prefix + entry.Name;
            if (entry is DirectoryInfo child)
            {
                if (child.LinkTarget is null)
                {
                    Walk(child.FullName, relative + "/", files);
                }
            }
            else
            {
                files.Add(relative);
            }
        }
    }

    private string Resolve(string path)
    {
        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new FleetException($"path {path} is outside the fleet directory");
        }

        return full;
    }
}
