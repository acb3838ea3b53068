using Fleet.Engine.Execution;

namespace Fleet.Engine.Tests.Execution;

public class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new(5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 0.2);

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(4, 60)]
    [InlineData(30, 60)]
    public void Doubles_the_delay_per_failed_attempt_up_to_the_cap(int attemptsMade, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Policy.DelayAfter(attemptsMade, random: 0));

    [Fact]
    public void Adds_jitter_of_up_to_the_configured_fraction_but_never_passes_the_cap()
    {
        Assert.Equal(TimeSpan.FromSeconds(12), Policy.DelayAfter(1, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(11), Policy.DelayAfter(1, random: 0.5));
        Assert.Equal(TimeSpan.FromSeconds(48), Policy.DelayAfter(3, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(60), Policy.DelayAfter(4, random: 1));
    }

    [Fact]
    public void Gives_no_next_attempt_once_the_budget_is_spent()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddSeconds(20), Policy.NextAttemptAt(2, now, 0));
        Assert.Null(Policy.NextAttemptAt(5, now, 0));
        Assert.True(Policy.CanRetry(4));
        Assert.False(Policy.CanRetry(5));
    }
}
