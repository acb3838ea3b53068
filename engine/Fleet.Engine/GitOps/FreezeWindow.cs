namespace Fleet.Engine.GitOps;

/// <summary>
/// A period in which reconcile does not apply: it starts at each match of <see cref="Start"/> and
/// lasts <see cref="Duration"/> (e.g. <c>schedule: "0 17 * * FRI", duration: 63h</c> freezes weekends).
/// </summary>
public sealed record FreezeWindow(CronSchedule Start, TimeSpan Duration)
{
    /// <summary>When the window covering <paramref name="now"/> ends, or null when <paramref name="now"/> is not frozen.</summary>
    public DateTimeOffset? FrozenUntil(DateTimeOffset now)
    {
        var start = Start.Previous(now, Duration);
        return start is { } s && now < s + Duration ? s + Duration : null;
    }
}
