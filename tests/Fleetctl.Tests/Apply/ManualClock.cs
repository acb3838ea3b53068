namespace Fleetctl.Tests.Apply;

/// <summary>
/// A clock that moves only when a test advances it, timers included: <c>Task.Delay(d, clock)</c> and
/// periodic timers fire when the clock passes their time, so a test drives minutes of an apply's
/// waiting in milliseconds, without sleeping. Callbacks run on the thread pool, as real timers' do.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = start;

    public DateTimeOffset Start { get; } = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock on and fires, in time order, every timer due by then.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset until;
        lock (gate)
        {
            until = now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (gate)
            {
                next = timers.Where(t => t.DueAt <= until).MinBy(t => t.DueAt);
                if (next is null)
                {
                    now = until;
                    return;
                }

                now = next.DueAt!.Value > now ? next.DueAt.Value : now;
                next.DueAt = next.Period is { } period ? now + period : null;
                if (next.DueAt is null)
                {
                    timers.Remove(next);
                }
            }

            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; private set; }

        public void Fire() => ThreadPool.UnsafeQueueUserWorkItem(_ => callback(state), null);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock.now + dueTime;
                if (DueAt is not null)
                {
                    clock.timers.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
