using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fleet.Engine.Jobs;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// <c>fleetctl apply --workers external</c> with no worker process, run in-process on a clock the test
/// advances: after 30 s without a worker taking a job it says so, with the command that starts one;
/// a worker that took a job and died is reported once its lease runs out. Checked in the three
/// output modes: plain lines, NDJSON, and the live display on a terminal (above the display, while
/// it is drawn).
/// </summary>
public sealed partial class NoWorkerWarningTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly TestFleet fleet = TestFleet.Quickstart();

    public void Dispose() => fleet.Dispose();

    [Fact]
    public async Task In_plain_lines_apply_says_no_worker_took_a_job_for_30_s_and_later_that_a_worker_died_holding_one()
    {
        await using var apply = await WaitingApply.StartAsync(fleet, terminal: false, "--format", "text");

        var warned = await apply.AdvanceUntilAsync(o => o.Contains("no worker has taken one", StringComparison.Ordinal), "the no-worker note");

        Assert.True(warned >= TimeSpan.FromSeconds(30), $"warned after {warned}");
        var note = Assert.Single(Lines(apply.Output), l => l.StartsWith("note: ", StringComparison.Ordinal));
        var match = NoWorkerNote().Match(note);
        Assert.True(match.Success, note);
        Assert.True(int.Parse(match.Groups["seconds"].Value, CultureInfo.InvariantCulture) >= 30, note);
        Assert.EndsWith($"; start one with: fleetctl worker -C {fleet.Directory}", note, StringComparison.Ordinal);

        var held = await apply.ClaimAsWorkerAsync("host-b:4242");
        var before = apply.Output.Length;
        await apply.AdvanceUntilAsync(o => o.Contains("lost its worker", StringComparison.Ordinal), "the lost-worker note");

        var after = Lines(apply.Output[before..]);
        var lost = Assert.Single(after, l => l.Contains("lost its worker", StringComparison.Ordinal));
        Assert.StartsWith($"note: job {held.Id} ({held.Action} {held.Target}) lost its worker host-b:4242: no heartbeat, its lease ran out at ", lost, StringComparison.Ordinal);
        // A worker held a job of one site meanwhile: the apply as a whole was not stalled (another site may be).
        Assert.DoesNotContain(after, l => NoWorkerNote().IsMatch(l));
        Assert.Equal(1, await apply.StopAsync());
    }

    [Fact]
    public async Task With_format_json_the_warnings_are_ndjson_events_with_their_fields()
    {
        await using var apply = await WaitingApply.StartAsync(fleet, terminal: false, "--format", "json");

        await apply.AdvanceUntilAsync(o => o.Contains("\"event\":\"no_worker\"", StringComparison.Ordinal), "the no_worker event");
        var held = await apply.ClaimAsWorkerAsync("host-b:4242");
        await apply.AdvanceUntilAsync(o => o.Contains("\"event\":\"lease_expired\"", StringComparison.Ordinal), "the lease_expired event");

        var events = Lines(apply.Output).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var noWorker = events.First(e => e["event"]!.GetValue<string>() == "no_worker");
        Assert.True(noWorker["queued"]!.GetValue<int>() > 0);
        Assert.True(noWorker["idleSeconds"]!.GetValue<long>() >= 30);
        Assert.Equal($"fleetctl worker -C {fleet.Directory}", noWorker["command"]!.GetValue<string>());
        Assert.StartsWith("2", noWorker["at"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("no worker has taken one", noWorker["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var expired = Assert.Single(events, e => e["event"]!.GetValue<string>() == "lease_expired");
        Assert.Equal((held.Id, held.Target, "host-b:4242", 1), (expired["job"]!.GetValue<long>(), expired["target"]!.GetValue<string>(), expired["worker"]!.GetValue<string>(), expired["attempt"]!.GetValue<int>()));
        Assert.Equal(held.LeaseUntil, DateTimeOffset.Parse(expired["leaseUntil"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(1, await apply.StopAsync());
    }

    [Fact]
    public async Task On_a_terminal_the_note_is_printed_above_the_live_display_while_it_is_drawn()
    {
        await using var apply = await WaitingApply.StartAsync(fleet, terminal: true);

        // Until a whole frame is on screen below the note (a screen read mid-frame lacks its last lines).
        await apply.AdvanceUntilAsync(
            o => TerminalScreen.Of(o).Lines is var lines
                 && lines.Any(l => l.StartsWith("note: ", StringComparison.Ordinal) && l.Contains("no worker has taken one", StringComparison.Ordinal))
                 && lines.Any(l => WorkersRow().IsMatch(l)) && lines.Contains("In progress:") && lines.Any(l => l.StartsWith("  … and ", StringComparison.Ordinal)),
            "the note above a frame with the workers' row");

        var during = TerminalScreen.Of(apply.Output);
        Assert.False(during.CursorVisible, "the display is still drawn");
        var note = during.Lines.ToList().FindIndex(l => l.StartsWith("note: ", StringComparison.Ordinal) && l.Contains("no worker has taken one", StringComparison.Ordinal));
        var frame = during.Lines.ToList().FindIndex(l => l.StartsWith("Applying 25 changes ", StringComparison.Ordinal));
        Assert.True(note >= 0 && frame > note, $"the note is above the display:\n{during.Text}");
        var wrapped = string.Join(' ', during.Lines.Skip(note).Take(frame - note)); // a long note wraps at the terminal's width
        Assert.True(NoWorkerNote().IsMatch(wrapped), during.Text);
        // The display tells queued jobs from running ones: changes under way are "in progress", and the workers' row splits them.
        Assert.True(during.Lines.Any(l => l.StartsWith("✓ 0 succeeded  ✗ 0 failed  - 0 skipped  … ", StringComparison.Ordinal) && l.EndsWith(" in progress", StringComparison.Ordinal)), during.Text);
        Assert.DoesNotContain("Running:", during.Lines);

        Assert.Equal(1, await apply.StopAsync());
        var after = TerminalScreen.Of(apply.Output);
        Assert.True(after.CursorVisible);
        Assert.Single(after.Lines, l => l.Contains("no worker has taken one", StringComparison.Ordinal));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"^note: \d+ jobs? queued and no worker has taken one for (?:(?<minutes>\d+)m)?(?<seconds>\d+)s; start one with: fleetctl worker -C \S+$")]
    private static partial Regex NoWorkerNote();

    [GeneratedRegex(@"^Workers: 0 running, \d+ queued  none taken for (?:\d+m)?\d+s$")]
    private static partial Regex WorkersRow();

    /// <summary>An apply with external workers running in-process on a <see cref="ManualClock"/>, with no worker.</summary>
    private sealed class WaitingApply : IAsyncDisposable
    {
        private readonly TestFleet fleet;
        private readonly SharedWriter output = new();
        private readonly StringWriter error = new();
        private readonly CancellationTokenSource cancellation = new();
        private Task<int>? running;

        private WaitingApply(TestFleet fleet) => this.fleet = fleet;

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public string Output => output.ToString();

        /// <summary>Starts the apply and waits until its jobs are queued (the clock has not moved yet).</summary>
        public static async Task<WaitingApply> StartAsync(TestFleet fleet, bool terminal, params string[] extra)
        {
            Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
            var apply = new WaitingApply(fleet);
            var host = new CliHost(apply.output, apply.error, new StringReader(string.Empty), fleet.Environment, fleet.Directory, terminal, apply.Clock);
            apply.running = Cli.RunAsync(["apply", "--auto-approve", "--workers", "external", .. extra], host, apply.cancellation.Token);
            await apply.WaitForAsync(o => o.Contains("queued for worker processes", StringComparison.Ordinal), "the queued note");
            return apply;
        }

        /// <summary>Moves the clock a second at a time until the output shows what is awaited; returns how far it moved.</summary>
        public async Task<TimeSpan> AdvanceUntilAsync(Func<string, bool> shown, string what)
        {
            var from = Clock.GetUtcNow();
            var deadline = Stopwatch.StartNew();
            while (!shown(Output))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), $"{what} never came in {Clock.GetUtcNow() - from} of apply time:\n{Output}\n{error}");
                Assert.False(running!.IsCompleted, $"apply ended before {what}:\n{Output}\n{error}");
                Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
            }

            return Clock.GetUtcNow() - from;
        }

        /// <summary>Takes one of the apply's jobs as a worker would, and never sends a heartbeat (the worker died).</summary>
        public async Task<Job> ClaimAsWorkerAsync(string worker)
        {
            await using var database = await fleet.OpenAsync();
            var now = Clock.GetUtcNow();
            var job = await database.Jobs.ClaimNextAsync(new JobClaim(worker, null, now, now + Lease), CancellationToken.None);
            Assert.NotNull(job);
            return job;
        }

        /// <summary>Ctrl+C: the apply stops waiting; its exit code.</summary>
        public async Task<int> StopAsync()
        {
            await cancellation.CancelAsync();
            return await running!;
        }

        public async ValueTask DisposeAsync()
        {
            if (running is { IsCompleted: false })
            {
                await StopAsync();
            }

            cancellation.Dispose();
            await output.DisposeAsync();
            await error.DisposeAsync();
        }

        private async Task WaitForAsync(Func<string, bool> shown, string what)
        {
            var deadline = Stopwatch.StartNew();
            while (!shown(Output))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"{what} never came:\n{Output}\n{error}");
                Assert.False(running!.IsCompleted, $"apply ended before {what}:\n{Output}\n{error}");
                await Task.Delay(20);
            }
        }
    }
}
