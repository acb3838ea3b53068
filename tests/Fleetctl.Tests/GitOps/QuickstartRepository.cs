using Fleet.Tests.Shared;

namespace Fleetctl.Tests.GitOps;

/// <summary>
/// A real git repository whose <c>fleet/</c> directory is the quickstart fleet with fast simulated
/// installs, committed on main; fleetctl runs in-process from the fleet directory.
/// </summary>
internal sealed class QuickstartRepository : IDisposable
{
    public QuickstartRepository()
    {
        var quickstart = Path.Combine(Examples.RepositoryRoot, "examples", "quickstart");
        foreach (var file in Directory.EnumerateFiles(quickstart, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.fleet/", StringComparison.Ordinal)))
        {
            Git.Write(Path.Combine("fleet", Path.GetRelativePath(quickstart, file)), File.ReadAllText(file));
        }

        Git.Write(".gitignore", ".fleet/\n");
        FirstCommit = Git.Commit("quickstart");
        Edit("fleet.yaml", "installSeconds: 0.2, recycleSeconds: 0.1", "installSeconds: 0.01, recycleSeconds: 0.01");
        FastCommit = Git.Commit("fast simulated installs for tests");
    }

    public GitRepository Git { get; } = new();

    public string Fleet => Path.Combine(Git.Root, "fleet");

    public string FirstCommit { get; }

    public string FastCommit { get; }

    public Task<CliRun> Run(params string[] args) => CliRun.RunAsync(Fleet, args);

    public void Edit(string path, string from, string to)
    {
        var full = Path.Combine(Fleet, path);
        var text = File.ReadAllText(full);
        if (!text.Contains(from, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} does not contain '{from}'");
        }

        File.WriteAllText(full, text.Replace(from, to, StringComparison.Ordinal));
    }

    /// <summary>Sets the size of the quickstart's fancydb-lon pool (4 in the example).</summary>
    public void ResizeFancydbLon(int from, int to) =>
        Edit("pools/lon.yaml", $"hardware: high-io\nsize: {from}\n", $"hardware: high-io\nsize: {to}\n");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Git.Dispose();
    }
}
