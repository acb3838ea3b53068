using System.Collections.Immutable;
using System.Diagnostics;
using Fleetctl.Commands;

namespace Fleetctl.Tests.Release;

/// <summary>fleetctl(1) covers every command and option of the binary and is roff that groff reads without a warning.</summary>
public sealed class ManPageTests
{
    [Fact]
    public async Task Every_command_and_option_has_its_entry()
    {
        var page = (await CliRun.RunAsync(Path.GetTempPath(), "man-page")).Out;
        var root = Cli.Build(new CliHost(TextWriter.Null, TextWriter.Null, TextReader.Null, ImmutableDictionary<string, string>.Empty, "/", false, TimeProvider.System));
        var commands = CompletionCommand.Walk(root).Skip(1).Where(c => !c.Hidden).ToList();
        Assert.True(commands.Count > 30, $"only {commands.Count} commands found");
        foreach (var command in commands)
        {
            var path = "fleetctl";
            for (var c = command; c.Parents.FirstOrDefault() is System.CommandLine.Command parent; c = parent)
            {
                path = path.Insert("fleetctl".Length, " " + c.Name);
            }

            var heading = $".SS \"{Roff(path)}";
            var at = page.IndexOf(heading + " ", StringComparison.Ordinal) is var spaced and >= 0 ? spaced : page.IndexOf(heading + "\"", StringComparison.Ordinal);
            Assert.True(at >= 0, $"no section for {path}");
            var section = page[at..];
            var next = section.IndexOf("\n.SS ", 1, StringComparison.Ordinal);
            section = next < 0 ? section : section[..next];
            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                Assert.Contains($"\\fB{Roff(option.Name)}\\fR", section);
            }
        }

        Assert.DoesNotContain("man-page", page);
    }

    [Fact]
    public async Task Groff_reads_it_without_warnings()
    {
        var page = (await CliRun.RunAsync(Path.GetTempPath(), "man-page")).Out;
        var start = new ProcessStartInfo("groff", ["-man", "-ww", "-z"]) { RedirectStandardInput = true, RedirectStandardError = true };
        using var groff = Process.Start(start)!;
        await groff.StandardInput.WriteAsync(page);
        groff.StandardInput.Close();
        var warnings = await groff.StandardError.ReadToEndAsync();
        await groff.WaitForExitAsync();
        Assert.Equal(0, groff.ExitCode);
        Assert.Equal(string.Empty, warnings);
    }

    private static string Roff(string text) => text.Replace("-", "\\-", StringComparison.Ordinal);
}
