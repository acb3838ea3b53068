using System.Diagnostics;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Release;

/// <summary>
/// Shell completion: fleetctl's [suggest] directive answers with commands, options, fixed values and the
/// fleet's own pool and site names, and each shell's script, run by that shell against the built
/// fleetctl, turns a half-typed command line into those answers.
/// </summary>
public sealed class CompletionTests
{
    private static readonly string Quickstart = Examples.Path("quickstart");

    [Fact]
    public async Task Suggests_the_pools_of_the_fleet_in_the_current_directory()
    {
        var run = await Suggest(Quickstart, "fleetctl plan --pool ");
        Assert.Equal(["cache-lon", "fancydb-lon", "fancydb-sto", "web-lon", "web-sto"], run);
    }

    [Fact]
    public async Task Suggests_the_pools_of_the_fleet_named_by_dash_C()
    {
        var run = await Suggest(Examples.RepositoryRoot, "fleetctl -C examples/quickstart inventory list --pool fan");
        Assert.Equal(["fancydb-lon", "fancydb-sto"], run);
    }

    [Fact]
    public async Task Suggests_sites_formats_subcommands_and_options()
    {
        Assert.Equal(["lon", "sto"], await Suggest(Quickstart, "fleetctl apply --site "));
        Assert.Equal(["json", "markdown", "text"], await Suggest(Quickstart, "fleetctl plan --format "));
        Assert.Contains("ingest", await Suggest(Quickstart, "fleetctl inventory "));
        Assert.Contains("--detailed-exitcode", await Suggest(Quickstart, "fleetctl plan --"));
    }

    [Fact]
    public async Task A_fleet_that_does_not_parse_still_completes_the_pools_that_do()
    {
        var fleet = Directory.CreateTempSubdirectory("fleet-complete-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(fleet, "fleet.yaml"), "apiVersion: fleet/v1\nkind: Fleet\nname: x\n");
            await File.WriteAllTextAsync(Path.Combine(fleet, "a.yaml"), "kind: Pool\nname: alpha\n---\nkind: Role\nname: not-a-pool\n");
            await File.WriteAllTextAsync(Path.Combine(fleet, "b.yaml"), "kind: Pool\nname: [unclosed\n");
            Assert.Equal(["alpha"], await Suggest(fleet, "fleetctl plan --pool "));
        }
        finally
        {
            Directory.Delete(fleet, recursive: true);
        }
    }

    [Fact]
    public async Task The_bash_script_completes_through_the_binary()
    {
        // bash's programmable completion, as readline calls it: COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT.
        var output = await Shell("bash", "completion bash", """
            source "$SCRIPT"
            complete -p fleetctl >/dev/null
            line="fleetctl plan --pool fancy"
            COMP_WORDS=("$FLEETCTL" plan --pool fancy); COMP_CWORD=3; COMP_LINE="$line"; COMP_POINT=${#line}
            _fleetctl
            printf '%s\n' "${COMPREPLY[@]}"
            line="fleetctl pl"
            COMP_WORDS=("$FLEETCTL" pl); COMP_CWORD=1; COMP_LINE="$line"; COMP_POINT=${#line}
            _fleetctl
            printf '%s\n' "${COMPREPLY[@]}"
            """);
        Assert.Equal("fancydb-lon\nfancydb-sto\nplan\n", output);
    }

    [Fact]
    public async Task The_zsh_script_completes_through_the_binary()
    {
        // compadd and _files exist only inside zsh's completion system; these stand-ins print what they are given.
        var output = await Shell("zsh", "completion zsh", """
            compdef() { :; }
            compadd() { shift 2; print -l -- "$@"; }
            _files() { print files; }
            source "$SCRIPT"
            words=("$FLEETCTL" plan --format m); CURRENT=4
            _fleetctl
            words=("$FLEETCTL" show ./pl); CURRENT=3
            _fleetctl
            """);
        Assert.Equal("markdown\nfiles\n", output);
    }

    [Fact]
    public async Task The_fish_script_completes_through_the_binary()
    {
        var output = await Shell("fish", "completion fish", """
            source $SCRIPT
            function fleetctl; $FLEETCTL $argv; end
            complete -C 'fleetctl plan --site s'
            complete -C 'fleetctl inventory mig'
            """);
        Assert.Equal("sto\nmigrate\n", output);
    }

    private static async Task<IReadOnlyList<string>> Suggest(string directory, string line)
    {
        var run = await CliRun.RunAsync(directory, $"[suggest:{line.Length}]", line);
        Assert.Equal(0, run.ExitCode);
        var words = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var current = line[(line.LastIndexOf(' ') + 1)..];
        return words.Where(w => w.StartsWith(current, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Runs <paramref name="shell"/> in the quickstart fleet with the script fleetctl printed in $SCRIPT and the binary in $FLEETCTL.</summary>
    private static async Task<string> Shell(string shell, string printScript, string body)
    {
        var script = Path.GetTempFileName();
        try
        {
            var print = await Run(BuiltFleetctl.Program, printScript, script: null);
            await File.WriteAllTextAsync(script, print);
            return await Run(shell, "-c " + Quote(body), script);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<string> Run(string program, string arguments, string? script)
    {
        var start = new ProcessStartInfo("bash", ["-c", $"exec {Quote(program)} {arguments}"])
        {
            WorkingDirectory = Quickstart,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FLEETCTL"] = BuiltFleetctl.Program;
        if (script is not null)
        {
            start.Environment["SCRIPT"] = script;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {arguments} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
