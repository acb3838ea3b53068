using Fleet.Engine.GitOps;

namespace Fleet.Engine.Tests.GitOps;

public class ScheduleTests
{
    private static CronSchedule Cron(string text) => CronSchedule.TryParse(text, out var error) ?? throw new InvalidOperationException(error);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("*/15 * * * *", "2026-11-26T10:07:00Z", "2026-11-26T10:15:00Z")]
    [InlineData("0 17 * * FRI", "2026-11-26T10:00:00Z", "2026-11-27T17:00:00Z")]
    [InlineData("30 2 1 * *", "2026-11-26T10:00:00Z", "2026-12-01T02:30:00Z")]
    [InlineData("0 0 * JAN,JUL *", "2026-11-26T10:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("0 9-17/4 * * 1-5", "2026-11-28T10:00:00Z", "2026-11-30T09:00:00Z")]
    [InlineData("0 0 * * 7", "2026-11-26T10:00:00Z", "2026-11-29T00:00:00Z")]
    public void Finds_the_next_run(string expression, string after, string expected) =>
        Assert.Equal(At(expected), Cron(expression).Next(At(after)));

    [Fact]
    public void Day_of_month_and_day_of_week_match_either_when_both_are_restricted()
    {
        var cron = Cron("0 0 13 * FRI");
        Assert.True(cron.Matches(At("2026-11-13T00:00:00Z"))); // Friday the 13th
        Assert.True(cron.Matches(At("2026-11-20T00:00:00Z"))); // a Friday
        Assert.True(cron.Matches(At("2026-12-13T00:00:00Z"))); // a Sunday, the 13th
        Assert.False(cron.Matches(At("2026-11-19T00:00:00Z")));
    }

    [Theory]
    [InlineData("* * * *", "must have 5 fields")]
    [InlineData("60 * * * *", "minute field '60': '60' is outside 0-59")]
    [InlineData("* * * FOO *", "month field 'FOO': 'FOO' is not a number or name")]
    [InlineData("*/0 * * * *", "bad step")]
    [InlineData("5-1 * * * *", "is outside")]
    public void Bad_expressions_say_what_is_wrong(string expression, string message)
    {
        Assert.Null(CronSchedule.TryParse(expression, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_freeze_window_covers_its_duration_from_each_start()
    {
        var weekend = new FreezeWindow(Cron("0 17 * * FRI"), TimeSpan.FromHours(63));

        Assert.Null(weekend.FrozenUntil(At("2026-11-27T16:59:00Z")));
        Assert.Equal(At("2026-11-30T08:00:00Z"), weekend.FrozenUntil(At("2026-11-27T17:00:00Z")));
        Assert.Equal(At("2026-11-30T08:00:00Z"), weekend.FrozenUntil(At("2026-11-29T23:00:00Z")));
        Assert.Null(weekend.FrozenUntil(At("2026-11-30T08:00:00Z")));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("0.5s", 0.5)]
    [InlineData("500ms", 0.5)]
    [InlineData("1m30s", 90)]
    [InlineData("10", 10)]
    [InlineData("0s", 0)]
    public void Parses_durations(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    public void Refuses_malformed_durations(string text) => Assert.False(Durations.TryParse(text, out _));
}
