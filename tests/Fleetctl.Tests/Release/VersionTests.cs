using System.Diagnostics;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Release;

/// <summary>
/// <c>fleetctl --version</c> prints the version, commit and build date the build stamped from git
/// (tools/version.sh), and tools/version.sh turns tags into versions.
/// </summary>
public sealed class VersionTests
{
    private static readonly string VersionScript = Path.Combine(Examples.RepositoryRoot, "tools", "version.sh");

    [Fact]
    public async Task Prints_the_version_commit_and_build_date_of_this_checkout()
    {
        var run = await CliRun.RunAsync(Path.GetTempPath(), "--version");
        Assert.Equal(0, run.ExitCode);
        var lines = (await Run(Examples.RepositoryRoot, "bash", VersionScript)).Split('\n');
        var match = System.Text.RegularExpressions.Regex.Match(run.Out, @"^fleetctl (\S+) \(commit (\S+), built (\d{4}-\d\d-\d\d\S*)\)\n$");
        Assert.True(match.Success, run.Out);
        Assert.Equal(lines[1][..12], match.Groups[2].Value);
        // The same version but for a ".dirty" that an edit made after the build may add or take away.
        Assert.Equal(lines[0].Replace(".dirty", string.Empty, StringComparison.Ordinal).Replace("+dirty", string.Empty, StringComparison.Ordinal),
            match.Groups[1].Value.Replace(".dirty", string.Empty, StringComparison.Ordinal).Replace("+dirty", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Versions_come_from_the_nearest_release_tag()
    {
        var repository = Directory.CreateTempSubdirectory("fleet-version-").FullName;
        try
        {
            async Task<string> Version() => (await Run(repository, "bash", VersionScript, repository)).Split('\n')[0];
            async Task Git(params string[] args) => await Run(repository, "git", ["-c", "user.name=t", "-c", "user.email=t@example.com", .. args]);

            await Git("init", "-q");
            await Git("commit", "-q", "--allow-empty", "-m", "first");
            var first = (await Run(repository, "git", "rev-parse", "HEAD")).Trim();
            Assert.Equal($"0.0.0-dev+{first[..12]}", await Version());

            await Git("tag", "v1.2.0");
            await Git("tag", "not-a-version");
            Assert.Equal("1.2.0", await Version());

            await Git("commit", "-q", "--allow-empty", "-m", "second");
            await Git("commit", "-q", "--allow-empty", "-m", "third");
            var third = (await Run(repository, "git", "rev-parse", "HEAD")).Trim();
            Assert.Equal($"1.2.0+2.g{third[..12]}", await Version());

            await Git("tag", "v1.3.0-rc.1");
            Assert.Equal("1.3.0-rc.1", await Version());

            await File.WriteAllTextAsync(Path.Combine(repository, "tracked"), "a");
            await Git("add", "tracked");
            Assert.Equal("1.3.0-rc.1+dirty", await Version());
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    [Fact]
    public async Task Outside_git_the_version_says_so()
    {
        var directory = Directory.CreateTempSubdirectory("fleet-version-").FullName;
        try
        {
            Assert.Equal("0.0.0-dev\nunknown\n", await Run(directory, "bash", VersionScript, directory));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    private static async Task<string> Run(string directory, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(directory);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {error}");
        return output;
    }
}
