namespace Fleet.Tests.Shared;

/// <summary>The repository's example fleets, for tests that run on a copy of one.</summary>
public static class Examples
{
    /// <summary>The repository root (the folder holding Declarative.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path(string name) => System.IO.Path.Combine(RepositoryRoot, "examples", name);

    /// <summary>
    /// Copies an example fleet into <paramref name="target"/>, without the local state a quickstart
    /// run leaves in its <c>.fleet/</c> folder, so every test starts from an empty inventory.
    /// </summary>
    public static string CopyTo(string name, string target)
    {
        var source = Path(name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(source, file);
            if (relative.Split(System.IO.Path.DirectorySeparatorChar)[0] == ".fleet")
            {
                continue;
            }

            var copy = System.IO.Path.Combine(target, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Declarative.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the tests must run inside the repository");
    }
}
