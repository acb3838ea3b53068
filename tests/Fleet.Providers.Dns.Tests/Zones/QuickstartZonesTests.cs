using Fleet.Engine.Loading;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Zones;
using Fleet.Tests.Shared;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Zones;

/// <summary>The zones of the quickstart example as loaded from YAML, including a role's SRV services.</summary>
public sealed class QuickstartZonesTests : IDisposable
{
    private readonly string fleet = Directory.CreateTempSubdirectory("fleet-quickstart-").FullName;

    public QuickstartZonesTests()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Declarative.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        var example = Path.Combine(root, "examples", "quickstart");
        foreach (var file in Directory.GetFiles(example, "*", SearchOption.AllDirectories).Where(f => !Path.GetRelativePath(example, f).StartsWith(".fleet", StringComparison.Ordinal)))
        {
            var target = Path.Combine(fleet, Path.GetRelativePath(example, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(fleet, recursive: true);

    [Fact]
    public void Role_srv_services_from_yaml_become_srv_records_of_in_use_machines()
    {
        File.AppendAllText(Path.Combine(fleet, "roles", "fancydb.yaml"), "dns:\n  srv:\n    - { service: _fancydb._tcp, port: 5432, weight: 10 }\n");
        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet));

        var generation = ZoneGenerator.Generate(desired, [Machine("SN1", "lon", "lon-fancydb-abcde", "10.1.0.7", role: "fancydb", pool: "fancydb-lon")], ZoneTemplates.BuiltIn);

        Assert.Empty(generation.Diagnostics);
        var lon = generation.Zones.Single(z => z.Name == "lon.example.net.");
        Assert.Contains("_fancydb._tcp.lon.example.net. 300 SRV 0 10 5432 lon-fancydb-abcde.lon.example.net.", lon.Records.Select(r => r.ToString()));
        Assert.Empty(ZoneValidator.Validate(lon));
    }

    [Fact]
    public void The_quickstart_zones_are_valid_and_render()
    {
        var desired = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet));

        var zones = ZoneGenerator.Generate(desired, [], ZoneTemplates.BuiltIn).ZonesOrThrow();

        Assert.Equal(["lon.example.net.", "sto.example.net.", "1.10.in-addr.arpa.", "2.10.in-addr.arpa."], zones.Select(z => z.Name));
        Assert.All(zones, z => Assert.Empty(ZoneValidator.Validate(z)));
        Assert.All(zones, z => Assert.StartsWith("; " + z.Name, new ZoneRenderer().Render(z), StringComparison.Ordinal));
    }
}
