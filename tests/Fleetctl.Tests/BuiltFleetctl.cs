using System.Reflection;

namespace Fleetctl.Tests;

/// <summary>
/// The fleetctl program as its own project built it, for tests that run it as a process. Not the
/// copy in this test project's output: the tests reference ASP.NET Core (for their fake BMCs and Compute Engine), whose
/// shared framework then stands in for assemblies fleetctl itself ships, so that copy is incomplete.
/// </summary>
internal static class BuiltFleetctl
{
    private static readonly string Directory = typeof(BuiltFleetctl).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FleetctlOutputDirectory").Value!;

    /// <summary>The native launcher.</summary>
    public static string Program => Path.Combine(Directory, "fleetctl");

    /// <summary>The managed entry assembly, for <c>dotnet fleetctl.dll</c>.</summary>
    public static string Assembly => Path.Combine(Directory, "fleetctl.dll");
}
