using System.Reflection;

namespace Fleetctl;

/// <summary>
/// What this binary is: the version (from git tags), the commit and the build date, stamped by the
/// build (Fleetctl.csproj, tools/version.sh). Printed by <c>fleetctl --version</c> and the man page.
/// </summary>
public sealed record BuildInfo(string Version, string Commit, string BuildDate)
{
    public static BuildInfo Current { get; } = FromAssembly(typeof(BuildInfo).Assembly);

    public static BuildInfo FromAssembly(Assembly assembly)
    {
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .ToDictionary(a => a.Key, a => a.Value ?? string.Empty, StringComparer.Ordinal);
        return new BuildInfo(
            assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0-dev",
            metadata.GetValueOrDefault("FleetctlCommit", "unknown"),
            metadata.GetValueOrDefault("FleetctlBuildDate", "unknown"));
    }

    /// <summary>The commit abbreviated as <c>git log --abbrev=12</c> would (the full hash is in <see cref="Commit"/>).</summary>
    public string ShortCommit => Commit.Length > 12 ? Commit[..12] : Commit;

    /// <summary>One line, version second so that scripts can cut it out: <c>fleetctl 1.2.0 (commit 0123456789ab, built 2026-12-08T03:00:00Z)</c>.</summary>
    public override string ToString() => $"fleetctl {Version} (commit {ShortCommit}, built {BuildDate})";
}
