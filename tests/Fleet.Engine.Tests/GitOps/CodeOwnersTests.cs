using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.GitOps;

public class CodeOwnersTests
{
    private static FieldLocations In(string file) => FieldLocations.At(new SourceLocation(file, 1, 1));

    private static DesiredState State()
    {
        var fleet = TestModel.NewFleet("acme", null, [], [], null, null, new SafetySpec(25, In("fleet.yaml")), In("fleet.yaml"));
        return new DesiredState(
            fleet,
            [new RoleSpec("fancydb", "storage-squad", "debian-12", In("roles/fancydb.yaml")), new RoleSpec("web", "web-team", "debian-12", In("roles/web.yaml"))],
            [
                TestModel.NewPool("fancydb-lon", "fancydb", "physical", "lon", "high-io", null, 10, true, In("pools/lon.yaml")),
                TestModel.NewPool("web-lon", "web", "physical", "lon", "std", null, 4, false, In("pools/lon.yaml")),
                TestModel.NewPool("fancydb-euw1", "fancydb", "gcp", null, null, new GcpPoolSpec("europe-west1-b", "n2-standard-8"), 20, false, In("pools/gcp.yaml")),
            ],
            []);
    }

    private static readonly ImmutableDictionary<string, string> Owners =
        ImmutableDictionary<string, string>.Empty.Add("storage-squad", "@acme/storage");

    [Fact]
    public void Gives_each_file_to_the_owners_of_its_roles()
    {
        var lines = CodeOwners.Generate(State(), Owners, "fleet");

        Assert.Equal(
            [
                CodeOwners.BeginMarker,
                "/fleet/pools/gcp.yaml @acme/storage",
                "/fleet/pools/lon.yaml @acme/storage web-team",
                "/fleet/roles/fancydb.yaml @acme/storage",
                "/fleet/roles/web.yaml web-team",
                CodeOwners.EndMarker,
            ],
            lines.ToArray());
    }

    [Fact]
    public void A_checked_in_file_that_matches_has_no_findings_and_a_stale_one_says_what_differs()
    {
        var expected = CodeOwners.Generate(State(), Owners, string.Empty);
        var file = "* @acme/platform\n" + CodeOwners.Render(expected) + "/docs/ @acme/writers\n";
        Assert.Empty(CodeOwners.Compare(expected, CodeOwners.ExtractBlock(file)));

        var stale = file.Replace("/roles/web.yaml web-team", "/roles/web.yaml @old-team", StringComparison.Ordinal);
        var findings = CodeOwners.Compare(expected, CodeOwners.ExtractBlock(stale));
        Assert.Equal(["missing: /roles/web.yaml web-team", "stale: /roles/web.yaml @old-team"], findings.ToArray());

        Assert.Single(CodeOwners.Compare(expected, CodeOwners.ExtractBlock("* @acme/platform\n")));
    }
}
