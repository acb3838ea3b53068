using Fleet.Engine.Inventory;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Zones;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Zones;

public sealed class ZoneValidatorTests
{
    private static IReadOnlyList<string> Problems(string zoneName, IEnumerable<Machine> machines, params Engine.Model.ZoneRecordSpec[] records)
    {
        var desired = Desired([Site("lon", "lon.acme.net", "10.1.0.0/16")], zones: records.Length == 0 ? [] : [Zone("lon.acme.net", records)]);
        var generation = ZoneGenerator.Generate(desired, machines, ZoneTemplates.BuiltIn);
        Assert.Empty(generation.Diagnostics);
        return [.. ZoneValidator.Validate(generation.Zones.Single(z => z.Name == zoneName)).Select(d => d.ToString())];
    }

    [Fact]
    public void A_cname_must_be_alone_at_its_name()
    {
        var problems = Problems("lon.acme.net.", [Machine("SN1", "lon", "lon-web-aaaaa", "10.1.0.5")], Record("lon-web-aaaaa", "CNAME", "lb.lon.acme.net.", line: 9));

        var problem = Assert.Single(problems);
        Assert.Equal(
            "inventory: error: zone lon.acme.net.: record 'lon-web-aaaaa A 10.1.0.5' (from machine SN1): conflicts with the CNAME 'lon-web-aaaaa CNAME lb.lon.acme.net.' (from Zone lon.acme.net): a CNAME must be the only record at its name",
            problem);
    }

    [Fact]
    public void A_cname_at_the_apex_is_refused()
    {
        var problems = Problems("lon.acme.net.", [], Record("@", "CNAME", "elsewhere.net.", line: 4));

        Assert.Contains(problems, p => p.StartsWith("zones/static.yaml:4:7: error: zone lon.acme.net.: record '@ CNAME elsewhere.net.' (from Zone lon.acme.net): a CNAME cannot be at the zone apex", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_records_are_refused_and_name_both_sources()
    {
        var problems = Problems("lon.acme.net.", [], Record("lb", "A", "10.1.0.1", line: 4), Record("LB", "A", "10.1.0.1", line: 5));

        Assert.Equal(["zones/static.yaml:5:7: error: zone lon.acme.net.: record 'lb A 10.1.0.1' (from Zone lon.acme.net): duplicates 'lb A 10.1.0.1' (from Zone lon.acme.net)"], problems);
    }

    [Fact]
    public void Records_of_one_rrset_must_share_a_ttl()
    {
        var problems = Problems("lon.acme.net.", [], Record("lb", "A", "10.1.0.1", line: 4, ttl: 60), Record("lb", "A", "10.1.0.2", line: 5, ttl: 120));

        Assert.Contains(problems, p => p.Contains("its TTL 120 differs from 60", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_machines_sharing_an_address_are_a_ptr_conflict()
    {
        var problems = Problems("1.10.in-addr.arpa.", [Machine("SN1", "lon", "lon-web-aaaaa", "10.1.0.5"), Machine("SN2", "lon", "lon-web-bbbbb", "10.1.0.5")]);

        var problem = Assert.Single(problems);
        Assert.Contains("record '5.0 PTR lon-web-bbbbb.lon.acme.net.' (from machine SN2): conflicts with '5.0 PTR lon-web-aaaaa.lon.acme.net.' (from machine SN1)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_that_did_not_pass_canonicalization_are_refused()
    {
        var zone = ZoneGenerator.Generate(Desired([Site("lon", "lon.acme.net")]), [], ZoneTemplates.BuiltIn).Zones.Single();
        var forged = zone with { Records = [new ZoneRecord("x.lon.acme.net.", RecordTypes.A, 300, "10.0.0.1\nevil A 10.6.6.6")] };

        Assert.Contains(ZoneValidator.Validate(forged), d => d.Message.Contains("is not an IPv4 address", StringComparison.Ordinal));
    }

    [Fact]
    public void A_zone_without_name_servers_is_refused()
    {
        var zone = ZoneGenerator.Generate(Desired([Site("lon", "lon.acme.net")]), [], ZoneTemplates.BuiltIn).Zones.Single();

        Assert.Contains(ZoneValidator.Validate(zone with { Nameservers = [] }), d => d.Message == "zone lon.acme.net.: has no NS records (dns.nameservers is empty)");
    }
}
