namespace Fleet.Engine.Execution;

/// <summary>
/// How often and how late a failed attempt is tried again: exponential backoff from
/// <see cref="BaseDelay"/>, capped at <see cref="MaxDelay"/>, with up to <see cref="Jitter"/> of the
/// delay added at random so that many machines failing together do not retry in lockstep.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay, double Jitter)
{
    /// <summary>Three attempts, 10 s then 20 s (plus up to 20%), never more than 5 minutes apart.</summary>
    public static RetryPolicy Default { get; } = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), 0.2);

    /// <summary>Whether a change that has failed <paramref name="attemptsMade"/> times may run again.</summary>
    public bool CanRetry(int attemptsMade) => attemptsMade < MaxAttempts;

    /// <summary>
    /// The wait after the <paramref name="attemptsMade"/>-th failed attempt (1-based):
    /// <c>min(MaxDelay, BaseDelay · 2^(attemptsMade-1)) · (1 + Jitter · random)</c>, never above
    /// <see cref="MaxDelay"/>. <paramref name="random"/> is a uniform number in [0, 1).
    /// </summary>
    public TimeSpan DelayAfter(int attemptsMade, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        var exponent = Math.Min(attemptsMade - 1, 30);
        var backoff = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var jittered = backoff * (1 + (Jitter * Math.Clamp(random, 0, 1)));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }

    /// <summary>When the next attempt is due, or null when <paramref name="attemptsMade"/> used up the budget.</summary>
    public DateTimeOffset? NextAttemptAt(int attemptsMade, DateTimeOffset now, double random) =>
        CanRetry(attemptsMade) ? now + DelayAfter(attemptsMade, random) : null;
}
