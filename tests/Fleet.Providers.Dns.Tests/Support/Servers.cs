namespace Fleet.Providers.Dns.Tests.Support;

/// <summary>Real-server prerequisites: a missing BIND tool fails the test with what to do, never skips it.</summary>
internal static class Servers
{
    public static void Require(bool available, string what) =>
        Assert.True(available, $"{what} is not installed; ./test.sh installs BIND (bind9, bind9-utils, bind9-dnsutils)");

    /// <summary>A token that ends a hung test instead of hanging the run.</summary>
    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
