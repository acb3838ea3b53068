using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Engine.Inventory;
using Fleet.State;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// A copy of the quickstart fleet in a temporary directory, with the simulated sites' timings and
/// failure rate set by the test, on the embedded SQLite inventory or on a PostgreSQL database
/// (through FLEET_INVENTORY). Runs fleetctl in-process, as the user would from the fleet directory.
/// </summary>
internal sealed partial class TestFleet : IDisposable
{
    private TestFleet(string directory, string? inventory)
    {
        Directory = directory;
        Environment = inventory is null ? ImmutableDictionary<string, string>.Empty : ImmutableDictionary<string, string>.Empty.Add("FLEET_INVENTORY", inventory);
    }

    public string Directory { get; }

    public ImmutableDictionary<string, string> Environment { get; private set; }

    /// <summary>The providers in-process runs load and plan with (a test may add its own).</summary>
    public FleetRuntime Runtime { get; set; } = FleetRuntime.Standard;

    public static TestFleet Quickstart(double installSeconds = 0.02, double failureRate = 0, string? inventory = null)
    {
        var directory = Examples.CopyTo("quickstart", System.IO.Directory.CreateTempSubdirectory("fleet-apply-").FullName);
        var fleet = Path.Combine(directory, "fleet.yaml");
        var power = string.Create(CultureInfo.InvariantCulture,
            $"power: {{ driver: simulated, installSeconds: {installSeconds}, recycleSeconds: {installSeconds / 2}, failureRate: {failureRate} }}");
        File.WriteAllText(fleet, PowerLine().Replace(File.ReadAllText(fleet), power));
        return new TestFleet(directory, inventory);
    }

    /// <summary>A fleet of the test's own making: <paramref name="files"/> by path relative to the fleet directory.</summary>
    public static TestFleet Of(IReadOnlyDictionary<string, string> files)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("fleet-apply-").FullName;
        foreach (var (path, content) in files)
        {
            File.WriteAllText(Path.Combine(directory, path), content);
        }

        return new TestFleet(directory, null);
    }

    /// <summary>Sets an environment variable for every later run and process (e.g. FLEET_SIMULATED_SEED).</summary>
    public void SetEnvironment(string name, string value) => Environment = Environment.SetItem(name, value);

    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(args, input: null);

    /// <summary>
    /// Starts the built fleetctl binary as a process of its own on this fleet, with the fleet's
    /// environment and its output redirected (the caller reads or drains it).
    /// </summary>
    public Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(BuiltFleetctl.Program, ["-C", Directory, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>Runs fleetctl; with <paramref name="input"/> it behaves as on a terminal and reads the answers from it.</summary>
    public async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, string? input, CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(input ?? string.Empty), Environment, Directory, input is not null, TimeProvider.System) { Runtime = Runtime };
        var exit = await Cli.RunAsync(args, host, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Sets a pool's size in its YAML file.</summary>
    public void Resize(string pool, int size)
    {
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Directory, "pools")))
        {
            var text = File.ReadAllText(file);
            var resized = Regex.Replace(text, $"(name: {Regex.Escape(pool)}\\n(?:[^-].*\\n)*?size: )\\d+", m => m.Groups[1].Value + size.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(file, resized);
        }
    }

    public async Task<StateDatabase> OpenAsync() =>
        await StateDatabase.OpenAsync(Environment.GetValueOrDefault("FLEET_INVENTORY") ?? "sqlite:.fleet/inventory.db", Directory, CancellationToken.None);

    public async Task<ImmutableArray<Machine>> MachinesAsync()
    {
        await using var database = await OpenAsync();
        return await database.Inventory.ListMachinesAsync(null, CancellationToken.None);
    }

    /// <summary>Each pool's size as its YAML says now.</summary>
    public ImmutableDictionary<string, int> PoolSizes() =>
        System.IO.Directory.GetFiles(Path.Combine(Directory, "pools"))
            .SelectMany(f => PoolSize().Matches(File.ReadAllText(f)))
            .ToImmutableDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [GeneratedRegex(@"power: \{[^}]*\}")]
    private static partial Regex PowerLine();

    [GeneratedRegex(@"name: ([a-z0-9-]+)\n(?:[^-].*\n)*?size: (\d+)")]
    private static partial Regex PoolSize();
}
