using System.Runtime.CompilerServices;

namespace Fleet.Providers.Dns.Tests.Support;

/// <summary>
/// Compares output with a checked-in baseline file under Baselines/. With FLEET_UPDATE_BASELINES=1 the
/// baseline is rewritten instead (then review the diff before committing).
/// </summary>
internal static class Baseline
{
    public static void Match(string name, string actual, [CallerFilePath] string caller = "")
    {
        var directory = Path.Combine(FindTestsRoot(caller), "Baselines");
        var path = Path.Combine(directory, name);
        if (Environment.GetEnvironmentVariable("FLEET_UPDATE_BASELINES") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"baseline {name} is missing; run the tests with FLEET_UPDATE_BASELINES=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string FindTestsRoot(string caller)
    {
        var dir = Path.GetDirectoryName(caller)!;
        while (!File.Exists(Path.Combine(dir, "Fleet.Providers.Dns.Tests.csproj")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return dir;
    }
}
