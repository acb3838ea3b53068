using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Model;
using Fleet.Providers.Physical;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.GitOps;

public class DesiredStateDiffTests
{
    private static readonly FieldLocations Here = FieldLocations.At(new SourceLocation("fleet.yaml", 1, 1));

    private static DesiredState State(ImmutableArray<PoolSpec> pools, string image = "debian-12", ImmutableArray<ZoneRecordSpec>? records = null) =>
        new(
            TestModel.NewFleet(
                "acme",
                null,
                [TestModel.NewSite("lon", "lon.acme.net", ["10.1.0.0/16"], new PowerSpec("simulated", 0.2, 0.1, 0, null, null, Here), Here)],
                [new HardwareSpec("high-io", Here)],
                null,
                null,
                new SafetySpec(25, Here),
                Here),
            [new RoleSpec("fancydb", "storage-squad", image, Here)],
            pools,
            records is null ? [] : [new ZoneSpec("lon.acme.net", records.Value, Here)]);

    private static PoolSpec Pool(string name, int size, bool protect = false) =>
        TestModel.NewPool(name, "fancydb", "physical", "lon", "high-io", null, size, protect, Here);

    [Fact]
    public void Identical_states_have_no_changes() =>
        Assert.Empty(DesiredStateDiff.Compare(State([Pool("a", 3)]), State([Pool("a", 3)])));

    [Fact]
    public void Reports_field_level_changes_in_one_line_each()
    {
        var changes = DesiredStateDiff.Compare(
            State([Pool("fancydb-lon", 8)], image: "debian-12"),
            State([Pool("fancydb-lon", 10, protect: true)], image: "debian-13"));

        var lines = changes.SelectMany(DesiredStateDiff.Describe).ToArray();
        Assert.Equal(
            [
                "pool/fancydb-lon protect false → true",
                "pool/fancydb-lon size 8 → 10",
                "role/fancydb image debian-12 → debian-13",
            ],
            lines);
    }

    [Fact]
    public void Reports_added_and_removed_documents_in_address_order()
    {
        var changes = DesiredStateDiff.Compare(State([Pool("old", 1), Pool("kept", 2)]), State([Pool("kept", 2), Pool("new", 4)]));

        Assert.Equal(["pool/new added", "pool/old removed"], changes.SelectMany(DesiredStateDiff.Describe));
        Assert.Equal(DocumentChangeKind.Added, changes[0].Kind);
        Assert.Contains(new FieldChange("size", null, "4"), changes[0].Fields);
        Assert.Contains(new FieldChange("size", "1", null), changes[1].Fields);
    }

    [Fact]
    public void Compares_zone_records_by_name_and_type()
    {
        var before = State([], records: [new ZoneRecordSpec("www", "CNAME", "lb.lon.acme.net.", null, SourceLocation.None)]);
        var after = State([], records: [new ZoneRecordSpec("www", "CNAME", "lb2.lon.acme.net.", 60, SourceLocation.None)]);

        var line = Assert.Single(DesiredStateDiff.Compare(before, after).SelectMany(DesiredStateDiff.Describe));

        Assert.Equal("zone/lon.acme.net record www CNAME lb.lon.acme.net. → lb2.lon.acme.net. (ttl 60)", line);
    }
}
