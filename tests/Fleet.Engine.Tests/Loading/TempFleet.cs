namespace Fleet.Engine.Tests.Loading;

/// <summary>A fleet directory on disk for one test, deleted afterwards.</summary>
public sealed class TempFleet : IDisposable
{
    public const string FleetYaml = """
        apiVersion: fleet/v1
        kind: Fleet
        name: test
        sites:
          - name: lon
            domain: lon.example.net
            networks: [10.1.0.0/16]
            power: { driver: simulated }
          - name: sto
            domain: sto.example.net
            networks: [10.2.0.0/16]
            power: { driver: ipmi, username: admin, password: env:BMC_PASSWORD }
        hardware:
          - name: compute
          - name: high-io

        """;

    public const string RoleYaml = """
        apiVersion: fleet/v1
        kind: Role
        name: web
        image: debian-12

        """;

    public const string PoolYaml = """
        apiVersion: fleet/v1
        kind: Pool
        name: web-lon
        role: web
        site: lon
        hardware: compute
        size: 3

        """;

    public TempFleet(bool withDefaults = true)
    {
        Directory = Path.Combine(Path.GetTempPath(), "fleet-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        if (withDefaults)
        {
            Write("fleet.yaml", FleetYaml);
            Write("roles/web.yaml", RoleYaml);
            Write("pools/web-lon.yaml", PoolYaml);
        }
    }

    public string Directory { get; }

    public TempFleet Write(string path, string content) => Write(path, System.Text.Encoding.UTF8.GetBytes(content));

    public TempFleet Write(string path, byte[] content)
    {
        var full = Path.Combine(Directory, path);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return this;
    }

    public TempFleet Delete(string path)
    {
        File.Delete(Path.Combine(Directory, path));
        return this;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
