using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Providers.Dns;
using Fleet.Providers.Gcp;
using Fleet.Providers.Physical;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Loading;

public sealed class FleetLoaderTests
{
    [Theory]
    [InlineData("quickstart")]
    [InlineData("acme")]
    public void The_examples_are_valid(string example)
    {
        var result = StandardProviders.Loader.Load(new DirectorySource(Examples.Path(example)));

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void The_quickstart_loads_into_the_model_with_locations()
    {
        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(Examples.Path("quickstart")));

        Assert.Equal("quickstart", desired.Fleet.Name);
        Assert.Equal(["lon", "sto"], desired.Fleet.Sites.Select(s => s.Name));
        var lon = desired.FindSite("lon")!;
        Assert.Equal(PowerSpec.Simulated, lon.Power().Driver);
        Assert.Equal(0.2, lon.Power().InstallSeconds);
        Assert.Equal(0.0, lon.Power().FailureRate);
        Assert.Equal(["10.1.0.0/16"], lon.Networks.AsEnumerable());
        Assert.Equal(["compute", "high-io", "high-mem"], desired.Fleet.Hardware.Select(h => h.Name));
        Assert.Equal("directory", desired.Fleet.Dns()!.Push!.Method);
        Assert.Equal(".fleet/zones", desired.Fleet.Dns()!.Push!.ZoneDir);
        Assert.Equal(25, desired.Fleet.Safety.MaxRecyclePercent);

        var pool = desired.FindPool("fancydb-lon")!;
        Assert.Equal(("fancydb", "physical", "lon", "high-io", 4, true), (pool.Role, pool.Backend, pool.Site, pool.Hardware, pool.Size, pool.Protect));
        Assert.Equal(new SourceLocation("pools/lon.yaml", 18, 7), pool.Locations.Of("size"));
        Assert.Equal(new SourceLocation("pools/lon.yaml", 13, 7), pool.Locations.Of("name"));
        Assert.False(desired.FindPool("web-lon")!.Protect);

        Assert.Equal("debian-12", desired.FindRole("fancydb")!.Image);
        var zone = Assert.Single(desired.Zones);
        Assert.Equal("lon.example.net", zone.Name);
        Assert.Contains(zone.Records, r => r is { Name: "www", Type: "CNAME", Value: "lb.lon.example.net." });
    }

    [Fact]
    public void Gcp_pools_and_the_gcp_section_load_from_acme()
    {
        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(Examples.Path("acme")));

        var pool = desired.FindPool("web-euw1")!;
        Assert.Equal("gcp", pool.Backend);
        Assert.Equal(new GcpPoolSpec("europe-west1-b", "n2-standard-8"), pool.Gcp());
        Assert.Null(pool.Site);
        Assert.Equal("acme-prod", desired.Fleet.Gcp()!.Project);
        Assert.Equal((5400.0, (double?)null), (desired.FindSite("sto")!.Power().InstallTimeoutSeconds, desired.FindSite("sto")!.Power().RecycleTimeoutSeconds));
        Assert.Equal("adc", desired.Fleet.Gcp()!.Credentials);
        Assert.Equal("env:LON_BMC_PASSWORD", desired.FindSite("lon")!.Power().PasswordRef);
        Assert.Equal(60, desired.Zones.Single(z => z.Name == "lon.acme.net").Records.Single(r => r.Name == "api").Ttl);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_sorted_by_file_line_and_column()
    {
        using var fleet = new TempFleet();
        fleet.Write("pools/b.yaml", "apiVersion: fleet/v1\nkind: Pool\nname: b\nrole: web\nsite: lon\nhardware: compute\nsize: -1\n");
        fleet.Write("pools/a.yaml", "apiVersion: fleet/v1\nkind: Pool\nname: a\nrole: web\nsite: ams\nhardware: compute\nsize: 1\nsise: 2\n");

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.Equal(
            [
                "pools/a.yaml:8:1: error: unknown field 'sise' in Pool; did you mean 'size'?",
                "pools/b.yaml:7:7: error: field 'size' must be a whole number ≥ 0, got -1",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_or_throw_raises_every_diagnostic()
    {
        using var fleet = new TempFleet();
        fleet.Write("roles/web.yaml", "apiVersion: fleet/v1\nkind: Role\nname: Web\n");

        var error = Assert.Throws<FleetException>(() => StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory)));

        Assert.Equal(
            [
                "pools/web-lon.yaml:4:7: error: pool 'web-lon': role 'web' is not defined",
                "roles/web.yaml:1:1: error: missing required field 'image' in Role",
                "roles/web.yaml:3:7: error: field 'name' must be a DNS label (lowercase letters, digits and '-', not starting or ending with '-', at most 63 characters), got 'Web'",
            ],
            error.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void A_pool_naming_an_invalid_role_is_not_also_told_the_role_is_missing()
    {
        using var fleet = new TempFleet();
        fleet.Write("roles/web.yaml", "apiVersion: fleet/v1\nkind: Role\nname: web\n");

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("roles/web.yaml:1:1: error: missing required field 'image' in Role", diagnostic.ToString());
    }

    [Fact]
    public void Several_documents_per_file_and_empty_documents_are_read()
    {
        using var fleet = new TempFleet();
        fleet.Delete("roles/web.yaml");
        fleet.Write("all.yml", "---\n" + TempFleet.RoleYaml + "---\n---\n" + TempFleet.RoleYaml.Replace("web", "api", StringComparison.Ordinal));

        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory));

        Assert.Equal(["api", "web"], desired.Roles.Select(r => r.Name).Order());
    }

    [Fact]
    public void Anchors_and_aliases_within_the_limit_are_expanded()
    {
        using var fleet = new TempFleet();
        fleet.Write("fleet.yaml", TempFleet.FleetYaml
            .Replace("power: { driver: simulated }", "power: &simulated { driver: simulated, installSeconds: 1 }", StringComparison.Ordinal)
            .Replace("power: { driver: ipmi, username: admin, password: env:BMC_PASSWORD }", "power: *simulated", StringComparison.Ordinal));

        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory));

        Assert.All(desired.Fleet.Sites, s => Assert.Equal((PowerSpec.Simulated, 1.0), (s.Power().Driver, s.Power().InstallSeconds)));
    }

    [Fact]
    public void Plain_scalars_follow_yaml_1_2_so_yes_and_on_stay_strings()
    {
        using var fleet = new TempFleet();
        fleet.Write("roles/web.yaml", "apiVersion: fleet/v1\nkind: Role\nname: web\nowner: on\nimage: yes\n");

        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory));

        Assert.Equal(("on", "yes"), (desired.Roles[0].Owner, desired.Roles[0].Image));
    }

    [Fact]
    public void Dot_folders_dot_files_state_and_other_files_are_not_read()
    {
        using var fleet = new TempFleet();
        const string broken = "this: [is not valid\n";
        fleet.Write(".fleet/state.yaml", broken).Write(".git/x.yaml", broken).Write("roles/.draft.yaml", broken)
            .Write("README.md", broken).Write("recon/lon.json", "[]");

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal(["README.md", "fleet.yaml", "pools/web-lon.yaml", "recon/lon.json", "roles/web.yaml"], new DirectorySource(fleet.Directory).ListFiles());
    }

    [Fact]
    public void A_directory_without_fleet_yaml_is_a_clear_error()
    {
        using var fleet = new TempFleet(withDefaults: false);
        fleet.Write("roles/web.yaml", TempFleet.RoleYaml);

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal($"error: no fleet.yaml in {fleet.Directory}; a fleet directory has fleet.yaml at its root (use -C DIR to point at one)", diagnostic.ToString());
    }

    [Fact]
    public void A_fleet_yaml_without_a_fleet_document_is_an_error()
    {
        using var fleet = new TempFleet();
        fleet.Write("fleet.yaml", TempFleet.RoleYaml.Replace("web", "api", StringComparison.Ordinal));

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.Contains("fleet.yaml:1:1: error: fleet.yaml has no document of kind Fleet", result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void A_missing_directory_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "fleet-missing-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<FleetException>(() => new DirectorySource(missing));

        Assert.Equal($"error: fleet directory {missing} does not exist", Assert.Single(error.Diagnostics).ToString());
    }

    [Fact]
    public void Loading_writes_nothing()
    {
        using var fleet = new TempFleet();
        var before = Directory.GetFileSystemEntries(fleet.Directory, "*", SearchOption.AllDirectories).Order().ToList();

        StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.Equal(before, Directory.GetFileSystemEntries(fleet.Directory, "*", SearchOption.AllDirectories).Order());
    }

    [Theory]
    [InlineData("inventory: postgres://fleet@db/fleet\n", true, "postgres://fleet@db/fleet")]
    [InlineData("", true, null)]
    [InlineData("inventory: [not, text]\n", false, null)]
    public void The_inventory_is_peeked_from_fleet_yaml_as_written(string line, bool found, string? inventory)
    {
        using var fleet = new TempFleet().Write("fleet.yaml", TempFleet.FleetYaml + line);

        Assert.Equal((found, inventory), (FleetLoader.TryPeekInventory(new DirectorySource(fleet.Directory), out var peeked), peeked));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("kind: Fleet\n\tinventory: sqlite:x.db\n")]
    [InlineData("apiVersion: fleet/v1\nkind: Role\nname: web\ninventory: sqlite:x.db\n")]
    public void Nothing_is_peeked_when_fleet_yaml_is_missing_unreadable_or_not_a_Fleet(string? content)
    {
        using var fleet = new TempFleet();
        if (content is null)
        {
            fleet.Delete("fleet.yaml");
        }
        else
        {
            fleet.Write("fleet.yaml", content);
        }

        Assert.False(FleetLoader.TryPeekInventory(new DirectorySource(fleet.Directory), out _));
    }
}
