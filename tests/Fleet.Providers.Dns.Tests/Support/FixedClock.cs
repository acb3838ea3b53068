namespace Fleet.Providers.Dns.Tests.Support;

/// <summary>A clock set by the test, for serials (YYYYMMDDnn) that do not depend on the day the tests run.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
