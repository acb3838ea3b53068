using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fleet.Benchmarks.Generators;

/// <summary>What to generate; every count is at least 1 except machines.</summary>
public sealed record FleetShape(int Pools, int Roles, int Machines, int Sites, int Hardware, int Seed);

/// <summary>
/// Writes a synthetic but valid fleet repository for benchmarks: fleet.yaml, one file per role and
/// per pool, and recon/machines.ndjson with machines spread over sites, hardware types and racks.
/// Pools of a (site, hardware) bucket share about 70% of its machines, so every pool fits with spares.
/// The same shape and seed always give the same files.
/// </summary>
public static class FleetGenerator
{
    private const int RacksPerSite = 20;
    private const int MaxMachinesPerSite = 32_000;

    public static void Write(string directory, FleetShape shape)
    {
        if (shape.Sites is < 1 or > 250 || shape.Hardware < 1 || shape.Roles < 1 || shape.Pools < 0 || shape.Machines < 0)
        {
            throw new ArgumentException("need 1–250 sites, at least one hardware type and one role, and non-negative pools and machines");
        }

        if (shape.Machines > shape.Sites * MaxMachinesPerSite)
        {
            throw new ArgumentException($"at most {MaxMachinesPerSite} machines per site fit the generated /16 networks");
        }

        Directory.CreateDirectory(Path.Combine(directory, "roles"));
        Directory.CreateDirectory(Path.Combine(directory, "pools"));
        Directory.CreateDirectory(Path.Combine(directory, "recon"));
        File.WriteAllText(Path.Combine(directory, "fleet.yaml"), FleetYaml(shape));
        for (var r = 0; r < shape.Roles; r++)
        {
            File.WriteAllText(Path.Combine(directory, "roles", $"{RoleName(r)}.yaml"), RoleYaml(r));
        }

        var buckets = shape.Sites * shape.Hardware;
        for (var p = 0; p < shape.Pools; p++)
        {
            var bucket = p % buckets;
            var poolsInBucket = (shape.Pools / buckets) + (bucket < shape.Pools % buckets ? 1 : 0);
            var machinesInBucket = (shape.Machines / buckets) + (bucket < shape.Machines % buckets ? 1 : 0);
            var size = machinesInBucket * 7 / 10 / poolsInBucket;
            File.WriteAllText(Path.Combine(directory, "pools", $"{PoolName(p)}.yaml"), PoolYaml(p, shape, bucket, size));
        }

        WriteMachines(Path.Combine(directory, "recon", "machines.ndjson"), shape);
    }

    public static string SiteName(int site) => $"site{site + 1:D2}";

    public static string HardwareName(int hardware) => $"hw{hardware + 1:D2}";

    public static string RoleName(int role) => $"role-{role + 1:D4}";

    public static string PoolName(int pool) => $"pool-{pool + 1:D5}";

    private static string FleetYaml(FleetShape shape)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            # Generated fleet: {shape.Pools} pools, {shape.Roles} roles, {shape.Machines} machines, seed {shape.Seed}.
            apiVersion: fleet/v1
            kind: Fleet
            name: generated
            sites:

            """);
        for (var s = 0; s < shape.Sites; s++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - name: {SiteName(s)}
                    domain: {SiteName(s)}.bench.example.net
                    networks: [10.{s + 1}.0.0/16]
                    power: {"{"} driver: simulated, installSeconds: 0.01, recycleSeconds: 0.01, failureRate: 0 {"}"}

                """);
        }

        yaml.Append("hardware:\n");
        for (var h = 0; h < shape.Hardware; h++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: {HardwareName(h)}\n");
        }

        yaml.Append("""
            dns:
              nameservers: [ns1.bench.example.net.]
              ttl: 300
              push: { method: directory, zoneDir: .fleet/zones }

            """);
        return yaml.ToString();
    }

    private static string RoleYaml(int role) => $"""
        apiVersion: fleet/v1
        kind: Role
        name: {RoleName(role)}
        owner: team-{role % 40 + 1:D2}
        image: {(role % 3 == 0 ? "ubuntu-24.04" : "debian-12")}

        """;

    private static string PoolYaml(int pool, FleetShape shape, int bucket, int size) => $"""
        apiVersion: fleet/v1
        kind: Pool
        name: {PoolName(pool)}
        role: {RoleName(pool % shape.Roles)}
        backend: physical
        site: {SiteName(bucket % shape.Sites)}
        hardware: {HardwareName(bucket / shape.Sites)}
        size: {size}

        """;

    private static void WriteMachines(string path, FleetShape shape)
    {
        var random = new Random(shape.Seed);
        var perSite = new int[shape.Sites];
        var buckets = shape.Sites * shape.Hardware;
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        for (var m = 0; m < shape.Machines; m++)
        {
            var bucket = m % buckets;
            var site = bucket % shape.Sites;
            var host = ++perSite[site];
            var octet = site + 1;
            json.WriteStartObject();
            json.WriteString("hardwareName", $"GX{m:X6}{random.Next(36 * 36 * 36):X4}");
            json.WriteString("hardwareType", HardwareName(bucket / shape.Sites));
            json.WriteString("site", SiteName(site));
            json.WriteString("rack", $"r{host % RacksPerSite + 1:D2}");
            json.WriteStartObject("bmc");
            json.WriteString("address", $"10.{octet}.{128 + (host >> 8)}.{host & 0xFF}");
            json.WriteNumber("port", 623);
            json.WriteEndObject();
            json.WriteStartArray("interfaces");
            json.WriteStartObject();
            json.WriteString("name", "eth0");
            json.WriteString("mac", $"02:{octet:x2}:{(m >> 16) & 0xFF:x2}:{(m >> 8) & 0xFF:x2}:{m & 0xFF:x2}:{random.Next(256):x2}");
            json.WriteString("ip", $"10.{octet}.{host >> 8}.{host & 0xFF}");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            stream.WriteByte((byte)'\n');
            json.Reset();
        }
    }

    /// <summary><c>generate --out DIR --pools N --roles N --machines N --sites N --hardware N [--seed S]</c>.</summary>
    public static int Run(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        if (args.Length % 2 != 0 || !options.TryGetValue("out", out var output))
        {
            Console.Error.WriteLine("usage: generate --out DIR --pools N --roles N --machines N --sites N --hardware N [--seed S]");
            return 2;
        }

        int Get(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var shape = new FleetShape(Get("pools", 100), Get("roles", 20), Get("machines", 1000), Get("sites", 2), Get("hardware", 3), Get("seed", 1));
        Write(Path.GetFullPath(output), shape);
        Console.WriteLine($"wrote {shape.Pools} pools, {shape.Roles} roles, {shape.Machines} machines over {shape.Sites} sites to {output}");
        return 0;
    }
}
