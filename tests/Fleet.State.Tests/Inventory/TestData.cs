using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleet.State.Tests.Inventory;

internal static class TestData
{
    public static readonly AuditContext Audit = new("alice@ci", "test");

    /// <summary>A recon record whose MAC and IP derive from <paramref name="n"/>, so records never collide by accident.</summary>
    public static ReconRecord Record(int n, string site = "lon", string? rack = "r1", string hardwareType = "high-io") => new(
        $"SN{n:D6}",
        hardwareType,
        site,
        rack,
        new BmcEndpoint($"10.0.{n / 250}.{(n % 250) + 1}", null),
        [new NetworkInterface("eth0", Mac(n), $"10.1.{n / 250}.{(n % 250) + 1}")],
        new SourceLocation("recon.json", n, 1),
        n);

    public static string Mac(int n) =>
        string.Create(CultureInfo.InvariantCulture, $"02:00:00:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}");

    public static ImmutableArray<ReconRecord> Records(int count) => [.. Enumerable.Range(1, count).Select(n => Record(n))];

    /// <summary>Machines are equal field by field, interfaces included (ImmutableArray compares by reference).</summary>
    public static void AssertSame(Machine? expected, Machine? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected with { Interfaces = [] }, actual with { Interfaces = [] });
        Assert.Equal<NetworkInterface>(expected.Interfaces, actual.Interfaces);
    }

    public static void AssertSame(IReadOnlyList<Machine> expected, IReadOnlyList<Machine> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i], actual[i]);
        }
    }
}
