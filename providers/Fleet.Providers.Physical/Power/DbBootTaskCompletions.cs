using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;

namespace Fleet.Providers.Physical.Power;

/// <summary>
/// Completions of real machines' installers, through the state database: an attempt is recorded as
/// the machine's boot task, <c>fleetctl serve</c> hands its installer a token with the boot script and
/// records the callback, and this polls for it (every 0.2 s at first, backing off to 2 s).
/// </summary>
public sealed class DbBootTaskCompletions(IBootTaskStore tasks, TimeProvider clock) : IBootTaskCompletions
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(2);

    public Task BeginAsync(Machine machine, BootImage image, string? jobId, CancellationToken cancellationToken) =>
        tasks.StartAsync(machine.HardwareName, KindOf(image), jobId, clock.GetUtcNow(), cancellationToken);

    public async Task<BootTaskOutcome?> WaitAsync(Machine machine, BootImage image, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var kind = KindOf(image);
        for (var poll = FirstPoll; ; poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks)))
        {
            if (await tasks.GetAsync(machine.HardwareName, cancellationToken) is { Kind: var k, Succeeded: { } succeeded } task && k == kind)
            {
                return succeeded ? BootTaskOutcome.Success : BootTaskOutcome.Failure(task.Error ?? "the installer reported a failure");
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.Delay(left < poll ? left : poll, clock, cancellationToken);
        }
    }

    /// <summary>The boot task kind of an image, as the state database names it.</summary>
    public static string KindOf(BootImage image) => image == BootImage.Installer ? BootTaskKinds.Install : BootTaskKinds.Sanitize;
}
