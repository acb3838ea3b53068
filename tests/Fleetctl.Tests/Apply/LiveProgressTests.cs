using System.Collections.Immutable;
using System.Diagnostics;
using Fleet.Engine.Execution;
using Fleet.Engine.Planning;
using Fleet.Providers.Dns;
using Fleet.Providers.Physical.Planning;
using Fleetctl.Apply;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// The live display apply shows on a terminal, drawn into a string as a terminal would receive it
/// and played back on <see cref="TerminalScreen"/>, driven by execution events as the executor sends them.
/// </summary>
public sealed class LiveProgressTests
{
    private static readonly ImmutableArray<PlannedChange> Changes =
    [
        Install("c1", "pool/web-lon", "m-1", "lon"),
        Install("c2", "pool/web-lon", "m-2", "lon"),
        Install("c3", "pool/db-sto", "m-3", "sto"),
        new PlannedChange { Id = "c4", Address = "zone/lon.example.net", Provider = "dns", Action = DnsActions.ZonePush, Reason = "records changed", DependsOn = ["c2"] },
    ];

    [Fact]
    public async Task A_failure_is_printed_above_the_display_as_it_happens_and_stays_after_it_ends()
    {
        using var output = new SharedWriter();
        var progress = Live(output, color: true);

        var report = await progress.TrackAsync(Changes, async observer =>
        {
            observer.OnEvent(Event(ExecutionEventKind.Started, Changes[1], 1));
            observer.OnEvent(Event(ExecutionEventKind.Failed, Changes[1], 3, "BMC 10.0.0.7 did not answer"));
            observer.OnEvent(Event(ExecutionEventKind.Skipped, Changes[3], 0, "skipped because change c2 (pool/web-lon) failed"));
            await WaitForScreenAsync(output, "✗ install m-2 (pool/web-lon) failed: BMC 10.0.0.7 did not answer");
            observer.OnEvent(Event(ExecutionEventKind.Started, Changes[0], 1));
            observer.OnEvent(Event(ExecutionEventKind.Succeeded, Changes[0], 1));
            return Report(OutcomeStatus.Succeeded, OutcomeStatus.Failed, OutcomeStatus.Skipped, OutcomeStatus.Skipped);
        });
        progress.Summary(report, ApplyResults.Failed);

        var screen = TerminalScreen.Of(output.ToString());
        Assert.True(screen.CursorVisible);
        Assert.Single(screen.Lines, l => l == "✗ install m-2 (pool/web-lon) failed: BMC 10.0.0.7 did not answer");
        Assert.Single(screen.Lines, l => l == "- zone_push zone/lon.example.net skipped because change c2 (pool/web-lon) failed");
        var frame = Assert.Single(screen.Lines, l => l.StartsWith("Applying ", StringComparison.Ordinal)); // no frame left behind
        Assert.StartsWith("Applying 4 changes ━━━━━━━", frame, StringComparison.Ordinal);
        Assert.Contains(" 3/4 75% ", frame, StringComparison.Ordinal);
        Assert.Contains("✓ 1 succeeded  ✗ 1 failed  - 1 skipped  … 0 running", screen.Lines);
        Assert.Equal("Apply failed: 1 succeeded, 1 failed, 2 skipped.", screen.Lines[^1]);
        Assert.True(
            screen.Text.IndexOf("✗ install m-2", StringComparison.Ordinal) < screen.Text.IndexOf("Applying 4 changes", StringComparison.Ordinal),
            "the failure is above the last frame");
    }

    [Fact]
    public async Task The_display_shows_running_changes_retries_and_replacements_while_they_happen()
    {
        using var output = new SharedWriter();
        var progress = Live(output, color: false);

        await progress.TrackAsync(Changes, async observer =>
        {
            observer.OnEvent(Event(ExecutionEventKind.Started, Changes[0], 1));
            observer.OnEvent(Event(ExecutionEventKind.Started, Changes[2], 1));
            observer.OnEvent(Event(ExecutionEventKind.Retrying, Changes[0], 2, "attempt 1 failed: PXE timeout"));
            observer.OnEvent(Event(ExecutionEventKind.Replaced, Changes[2], 3, "m-3 is broken (disk); install on m-9 instead", machine: "m-9"));
            // The frame's last line: a screen read while a frame is half written lacks the lines below.
            var during = await WaitForScreenAsync(output, "  ↻ install m-1 attempt 1 failed: PXE timeout");
            Assert.Contains("✓ 0 succeeded  ✗ 0 failed  - 0 skipped  … 2 running  ↻ 1 retries  ⇄ 1 replaced", during.Lines);
            Assert.Contains(during.Lines, l => l.StartsWith("  install m-1 (pool/web-lon) attempt 2 ", StringComparison.Ordinal));
            Assert.Contains(during.Lines, l => l.StartsWith("  install m-9 (pool/db-sto) ", StringComparison.Ordinal));
            Assert.Contains("  ↻ install m-1 attempt 1 failed: PXE timeout", during.Lines);
            Assert.Contains("⇄ install (pool/db-sto) m-3 is broken (disk); install on m-9 instead", during.Lines);
            Assert.False(during.CursorVisible);
            return Report(OutcomeStatus.Skipped, OutcomeStatus.Skipped, OutcomeStatus.Skipped, OutcomeStatus.Skipped);
        });

        var after = TerminalScreen.Of(output.ToString());
        Assert.True(after.CursorVisible);
        Assert.DoesNotContain("\u001b[3", output.ToString(), StringComparison.Ordinal); // no colour without colour
    }

    [Fact]
    public async Task Cancelling_ends_the_display_with_the_cursor_shown_and_the_cancellation_passed_on()
    {
        using var output = new SharedWriter();
        var progress = Live(output, color: true);

        await Assert.ThrowsAsync<OperationCanceledException>(() => progress.TrackAsync(Changes, async observer =>
        {
            observer.OnEvent(Event(ExecutionEventKind.Started, Changes[0], 1));
            await WaitForScreenAsync(output, "… 1 running");
            throw new OperationCanceledException();
        }));

        var screen = TerminalScreen.Of(output.ToString());
        Assert.True(screen.CursorVisible);
        Assert.Contains("✓ 0 succeeded  ✗ 0 failed  - 0 skipped  … 1 running", screen.Lines);
    }

    [Fact]
    public async Task Thousands_of_events_are_coalesced_into_a_few_frames_a_second()
    {
        using var output = new SharedWriter();
        var progress = Live(output, color: true);
        var changes = Enumerable.Range(0, 2_000).Select(i => Install($"c{i}", $"pool/p{i % 600}", $"m-{i}", "lon")).ToImmutableArray();
        var clock = Stopwatch.StartNew();

        await progress.TrackAsync(changes, async observer =>
        {
            foreach (var change in changes)
            {
                observer.OnEvent(Event(ExecutionEventKind.Started, change, 1));
            }

            await Task.Delay(LiveProgress.RefreshInterval * 2);
            foreach (var change in changes)
            {
                observer.OnEvent(Event(ExecutionEventKind.Succeeded, change, 1));
            }

            return new ExecutionReport([.. changes.Select(c => ChangeOutcome.Success(c.Id, 1))]);
        });

        // 4,000 events, yet frames come only from the refresh loop: the display's first frame, one per
        // interval started (the loop draws at 0, 1, 2 … intervals), the final redraw, and the last frame
        // written as ordinary output.
        var frames = CountOf(output.ToString(), "Applying 2,000 changes");
        var intervalsStarted = (int)(clock.Elapsed / LiveProgress.RefreshInterval) + 1;
        Assert.InRange(frames, 2, 1 + intervalsStarted + 2);
        Assert.Contains("✓ 2,000 succeeded  ✗ 0 failed  - 0 skipped  … 0 running", TerminalScreen.Of(output.ToString()).Lines);
    }

    [Fact]
    public void With_600_pools_the_busiest_are_shown_and_the_rest_summed_in_one_row()
    {
        var changes = Enumerable.Range(0, 1_800).Select(i => Install($"c{i}", $"pool/pool-{i % 600:D3}", $"m-{i}", "lon")).ToImmutableArray();
        var board = new ProgressBoard(changes, TimeProvider.System);
        foreach (var change in changes.Where(c => c.Address == "pool/pool-123").Concat(changes.Take(100)))
        {
            board.OnEvent(Event(ExecutionEventKind.Started, change, 1));
        }

        board.OnEvent(Event(ExecutionEventKind.Failed, changes[0], 3, "no answer"));
        using var output = new StringWriter();
        var console = LiveProgress.ConsoleFor(output, color: false);
        console.Write(board.Render(80));

        var lines = TerminalScreen.Of(output.ToString()).Lines;
        Assert.InRange(lines.Count, 10, 2 + ProgressBoard.PoolRows + 1 + 1 + ProgressBoard.RunningRows + 1);
        Assert.All(lines, l => Assert.InRange(l.Length, 0, 80));
        Assert.StartsWith("  pool/pool-123 ", lines[2], StringComparison.Ordinal);
        Assert.Contains("… 3 running", lines[2], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  … 594 more ", StringComparison.Ordinal) && l.Contains(" 1/1,782  … 94 running  ✗ 1 failed", StringComparison.Ordinal));
        Assert.Contains("  … and 97 more", lines);
    }

    [Fact]
    public void With_external_workers_changes_under_way_are_in_progress_and_a_row_tells_running_from_queued_jobs()
    {
        var board = new ProgressBoard(Changes, TimeProvider.System, externalWorkers: true);
        board.OnEvent(Event(ExecutionEventKind.Started, Changes[0], 1));
        board.OnEvent(Event(ExecutionEventKind.Started, Changes[2], 1));
        board.SetWorkers(new WorkersState(Running: 0, Queued: 2, WaitingToRetry: 1, StalledSince: DateTimeOffset.UtcNow.AddSeconds(-95)));
        using var output = new StringWriter();
        LiveProgress.ConsoleFor(output, color: false).Write(board.Render(80));

        var lines = TerminalScreen.Of(output.ToString()).Lines;
        Assert.Equal("✓ 0 succeeded  ✗ 0 failed  - 0 skipped  … 2 in progress", lines[1]);
        Assert.True(
            System.Text.RegularExpressions.Regex.IsMatch(lines[2], @"^Workers: 0 running, 2 queued, 1 to retry  none taken for 1m3[5-9]s$"),
            string.Join('\n', lines));
        Assert.Contains("In progress:", lines);
        Assert.Contains(lines, l => l.StartsWith("  pool/web-lon ", StringComparison.Ordinal) && l.EndsWith("… 1 in progress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_jobs_write_to_stderr_during_the_display_waits_until_it_ends()
    {
        using var output = new SharedWriter();
        using var error = new StringWriter();
        using var errors = new HeldWriter(error);
        var progress = Live(output, color: true, errors);

        await progress.TrackAsync(Changes, async observer =>
        {
            await errors.WriteLineAsync("note: zone lon.example.net was pushed with 2 records the plan did not show");
            observer.OnEvent(Event(ExecutionEventKind.Started, Changes[0], 1));
            await WaitForScreenAsync(output, "… 1 running");
            Assert.Equal(string.Empty, error.ToString());
            return Report(OutcomeStatus.Skipped, OutcomeStatus.Skipped, OutcomeStatus.Skipped, OutcomeStatus.Skipped);
        });

        Assert.Equal("note: zone lon.example.net was pushed with 2 records the plan did not show\n", error.ToString());
        await errors.WriteLineAsync("after");
        Assert.EndsWith("after\n", error.ToString(), StringComparison.Ordinal);
    }

    private static LiveProgress Live(TextWriter output, bool color, HeldWriter? errors = null) =>
        new(LiveProgress.ConsoleFor(output, color), TimeProvider.System, new ProgressPrinter(output, json: false, color: false), errors ?? new HeldWriter(TextWriter.Null));

    /// <summary>Waits until the display drew <paramref name="text"/>: its next frames come from a timer.</summary>
    private static async Task<TerminalScreen> WaitForScreenAsync(SharedWriter output, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var screen = TerminalScreen.Of(output.ToString());
            if (screen.Text.Contains(text, StringComparison.Ordinal))
            {
                return screen;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"the display never showed '{text}':\n{screen.Text}");
            await Task.Delay(20);
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static PlannedChange Install(string id, string pool, string machine, string site) =>
        new() { Id = id, Address = pool, Provider = "physical", Action = PhysicalActions.Install, Reason = "pool below size", Machine = machine, Site = site };

    private static ExecutionEvent Event(ExecutionEventKind kind, PlannedChange change, int attempt, string? message = null, string? machine = null) =>
        ExecutionEvent.For(kind, DateTimeOffset.UtcNow, change, attempt, message, machine);

    private static ExecutionReport Report(params OutcomeStatus[] statuses) =>
        new([.. statuses.Select((s, i) => s switch
        {
            OutcomeStatus.Succeeded => ChangeOutcome.Success(Changes[i].Id, 1),
            OutcomeStatus.Failed => ChangeOutcome.Failure(Changes[i].Id, 3, "failed"),
            _ => ChangeOutcome.Skip(Changes[i].Id, "skipped"),
        })]);
}
