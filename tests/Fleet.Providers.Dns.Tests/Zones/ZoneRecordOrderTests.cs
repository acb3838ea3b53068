using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Tests.Zones;

/// <summary>Zone files, diffs and content hashes rely on one canonical record order, however it is computed.</summary>
public sealed class ZoneRecordOrderTests
{
    private static readonly ZoneRecord[] InZone =
    [
        new("web-b.lon.acme.net.", RecordTypes.A, 300, "10.1.0.2"),
        new("lon.acme.net.", RecordTypes.Mx, 300, "10 mail.lon.acme.net."),
        new("web.lon.acme.net.", RecordTypes.A, 300, "10.1.0.9"),
        new("web.lon.acme.net.", RecordTypes.A, 300, "10.1.0.10"),
        new("web.lon.acme.net.", RecordTypes.A, 60, "10.1.0.1"),
        new("web.lon.acme.net.", RecordTypes.A, 300, "10.1.0.1"),
        new("10.lon.acme.net.", RecordTypes.A, 300, "10.1.0.3"),
        new("9.lon.acme.net.", RecordTypes.A, 300, "10.1.0.4"),
        new("a.web.lon.acme.net.", RecordTypes.Txt, 300, "\"x\""),
        new("lon.acme.net.", RecordTypes.Ns, 300, "ns1.acme.net."),
        new("_db._tcp.lon.acme.net.", RecordTypes.Srv, 300, "0 0 5432 web.lon.acme.net."),
        new("sample.lon.acme.net.", RecordTypes.A, 300, "10.1.0.5"),
        new("example.lon.acme.net.", RecordTypes.A, 300, "10.1.0.6"),
    ];

    private static List<ZoneRecord> Canonical(IEnumerable<ZoneRecord> records) => [.. records.Order(Comparer<ZoneRecord>.Create(ZoneRecord.Compare))];

    [Fact]
    public void Sorting_within_a_zone_gives_the_canonical_order()
    {
        var records = InZone.Reverse().ToList();

        ZoneRecord.Sort(records, "lon.acme.net.");

        Assert.Equal(Canonical(InZone), records);
        Assert.Equal("lon.acme.net.", records[0].Name);
        Assert.Equal(RecordTypes.Ns, records[0].Type);
    }

    [Fact]
    public void A_name_outside_the_origin_still_sorts_canonically()
    {
        ZoneRecord[] all = [.. InZone, new("www.acme.net.", RecordTypes.A, 300, "10.2.0.1"), new("z.sto.acme.net.", RecordTypes.A, 300, "10.2.0.2")];
        var records = all.ToList();

        ZoneRecord.Sort(records, "lon.acme.net.");

        Assert.Equal(Canonical(all), records);
    }

    [Theory]
    [InlineData("example.net.", "sample.net.")]
    [InlineData("a.net.", "b.a.net.")]
    [InlineData("9.1.10.in-addr.arpa.", "10.1.10.in-addr.arpa.")]
    [InlineData("host-abcde.lon.acme.net.", "host-xbcde.lon.acme.net.")]
    [InlineData("lon.acme.net.", "a.lon.acme.net.")]
    public void Names_sharing_an_ending_compare_label_by_label_from_the_right(string lower, string higher)
    {
        Assert.True(DnsName.Compare(lower, higher) < 0);
        Assert.True(DnsName.Compare(higher, lower) > 0);
        Assert.Equal(0, DnsName.Compare(lower, new string(lower.AsSpan())));
    }
}
