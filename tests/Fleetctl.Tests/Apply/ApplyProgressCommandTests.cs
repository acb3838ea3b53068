using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// What <c>fleetctl apply</c> writes while it runs, on the quickstart fleet, in-process: a live display
/// on a terminal, plain lines in a pipe or on TERM=dumb, NDJSON with --format json on either.
/// </summary>
public sealed class ApplyProgressCommandTests : IDisposable
{
    private const string HideCursor = "\u001b[?25l";

    private readonly TestFleet fleet = TestFleet.Quickstart();

    public void Dispose() => fleet.Dispose();

    [Fact]
    public async Task On_a_terminal_apply_draws_a_live_display_then_the_last_frame_and_the_summary()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var apply = await RunAsync(terminal: true, environment: [], "apply", "--auto-approve");

        Assert.Equal((0, string.Empty), (apply.Exit, apply.Err));
        Assert.Contains(HideCursor, apply.Out, StringComparison.Ordinal);
        var screen = TerminalScreen.Of(apply.Out);
        Assert.True(screen.CursorVisible);
        Assert.Contains("Plan: 21 to install, 0 to recycle, 0 to resize, 0 zones to push, 4 zones to create.", screen.Lines);
        var frame = Assert.Single(screen.Lines, l => l.StartsWith("Applying ", StringComparison.Ordinal)); // no frame left behind
        Assert.Contains("Applying 25 changes ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 25/25 100% ", frame, StringComparison.Ordinal);
        Assert.Contains("✓ 25 succeeded  ✗ 0 failed  - 0 skipped  … 0 running", screen.Lines);
        Assert.Contains(screen.Lines, l => l.StartsWith("  pool/web-lon ", StringComparison.Ordinal) && l.EndsWith(" 5/5", StringComparison.Ordinal));
        Assert.DoesNotContain(screen.Lines, l => l.StartsWith("✓ install", StringComparison.Ordinal));
        Assert.Equal("Apply complete: 25 succeeded, 0 failed, 0 skipped.", screen.Lines[^1]);
    }

    [Fact]
    public async Task With_format_json_on_a_terminal_stdout_holds_only_ndjson_events()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var apply = await RunAsync(terminal: true, environment: [], "apply", "--auto-approve", "--format", "json");

        Assert.Equal((0, string.Empty), (apply.Exit, apply.Err));
        Assert.DoesNotContain("\u001b", apply.Out, StringComparison.Ordinal);
        var events = apply.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.All(events, e => Assert.NotNull(e["event"]));
        Assert.Equal(25, events.Count(e => e["event"]!.GetValue<string>() == "succeeded"));
        Assert.Equal("summary", events[^1]["event"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "dumb")]
    public async Task In_a_pipe_or_on_a_dumb_terminal_apply_prints_plain_lines(bool terminal, string? term)
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var apply = await RunAsync(terminal, term is null ? [] : [new("TERM", term)], "apply", "--auto-approve");

        Assert.Equal(0, apply.Exit);
        Assert.DoesNotContain("\u001b", apply.Out, StringComparison.Ordinal);
        var lines = apply.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(25, lines.Count(l => l.StartsWith("… ", StringComparison.Ordinal) && l.EndsWith(" started", StringComparison.Ordinal)));
        Assert.Equal(21, lines.Count(l => l.StartsWith("✓ install ", StringComparison.Ordinal)));
        Assert.Equal("Apply complete: 25 succeeded, 0 failed, 0 skipped.", lines[^1]);
    }

    [Fact]
    public async Task With_NO_COLOR_the_live_display_draws_without_colours()
    {
        await fleet.RunAsync("inventory", "ingest", "recon");

        var apply = await RunAsync(terminal: true, [new("NO_COLOR", "1")], "apply", "--auto-approve");

        Assert.Equal(0, apply.Exit);
        Assert.Contains(HideCursor, apply.Out, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\u001b\[(3|9)\dm", apply.Out);
        Assert.Contains("✓ 25 succeeded  ✗ 0 failed  - 0 skipped  … 0 running", TerminalScreen.Of(apply.Out).Lines);
    }

    [Fact]
    public async Task Ctrl_C_during_the_live_display_stops_the_apply_and_leaves_the_cursor_shown()
    {
        using var slow = TestFleet.Quickstart(installSeconds: 2);
        await slow.RunAsync("inventory", "ingest", "recon");
        using var output = new SharedWriter();
        using var error = new StringWriter();
        using var cancellation = new CancellationTokenSource();
        var host = new CliHost(output, error, new StringReader(string.Empty), slow.Environment, slow.Directory, IsTerminal: true, TimeProvider.System);

        var apply = Cli.RunAsync(["apply", "--auto-approve"], host, cancellation.Token);
        var waited = Stopwatch.StartNew();
        while (!TerminalScreen.Of(output.ToString()).Lines.Contains("Running:"))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the live display never showed running changes");
            await Task.Delay(20);
        }

        await cancellation.CancelAsync();
        var exit = await apply;

        Assert.Equal((1, "error: cancelled\n"), (exit, error.ToString()));
        var screen = TerminalScreen.Of(output.ToString());
        Assert.True(screen.CursorVisible);
        Assert.Contains(screen.Lines, l => l.StartsWith("Applying 25 changes ", StringComparison.Ordinal));
        Assert.DoesNotContain(screen.Lines, l => l.StartsWith("Apply complete", StringComparison.Ordinal));
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(bool terminal, KeyValuePair<string, string>[] environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(string.Empty), fleet.Environment.AddRange(environment), fleet.Directory, terminal, TimeProvider.System);
        var exit = await Cli.RunAsync(args, host, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
