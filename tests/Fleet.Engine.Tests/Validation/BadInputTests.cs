using System.Text;
using Fleet.Engine.Loading;
using Fleet.Engine.Tests.Loading;
using Fleet.Providers.Physical;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Validation;

/// <summary>
/// Every kind of bad input a user can write, each asserting the exact message and where it points.
/// Each case starts from a valid fleet (<see cref="TempFleet"/>) and overwrites or adds one file.
/// </summary>
public sealed class BadInputTests
{
    public sealed record Case(string File, string Content, string Expected)
    {
        public byte[]? Bytes { get; init; }
    }

    private const string Pool = "apiVersion: fleet/v1\nkind: Pool\nname: web-lon\nrole: web\n";
    private const string Role = "apiVersion: fleet/v1\nkind: Role\n";
    private const string Zone = "apiVersion: fleet/v1\nkind: Zone\nname: lon.example.net\nrecords:\n";
    private const string GcpPool = "apiVersion: fleet/v1\nkind: Pool\nname: web-euw1\nrole: web\nbackend: gcp\n";

    private static string Fleet(string from, string to) => TempFleet.FleetYaml.Replace(from, to, StringComparison.Ordinal);

    private static string FleetWith(string extra) => TempFleet.FleetYaml + extra;

    public static readonly Dictionary<string, Case> Cases = new()
    {
        // Malformed YAML and unsafe files
        ["tab indentation"] = new("roles/web.yaml", Role + "name: web\n\timage: debian-12\n",
            "roles/web.yaml:4:1: error: tab character in indentation; YAML must be indented with spaces"),
        ["unclosed quote"] = new("roles/web.yaml", Role + "name: \"web\nimage: debian-12\n",
            "roles/web.yaml:3:7: error: malformed YAML: while scanning a multi-line double-quoted scalar, found wrong indentation"),
        ["bad indentation"] = new("roles/web.yaml", Role + "name: web\n  image: debian-12\n",
            "roles/web.yaml:4:8: error: malformed YAML: while scanning a plain scalar value, found invalid mapping"),
        ["unclosed flow mapping"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsize: 3\ngcp: { zone: x\n",
            "pools/web-lon.yaml:8:15: error: malformed YAML: while parsing a flow mapping, did not find expected ',' or '}' before the end of the file"),
        ["unclosed flow sequence at the end of the file"] = new("roles/web.yaml", Role + "name: web\nimage: [debian-12",
            "roles/web.yaml:4:18: error: malformed YAML: while parsing a flow sequence, did not find expected ',' or ']' before the end of the file"),
        ["duplicate key"] = new("roles/web.yaml", Role + "name: web\nimage: debian-12\nname: api\n",
            "roles/web.yaml:5:1: error: duplicate key 'name'; it is already set at line 3"),
        ["empty file"] = new("roles/web.yaml", "",
            "roles/web.yaml:1:1: error: file has no YAML documents; expected at least one with apiVersion and kind"),
        ["comments only"] = new("roles/web.yaml", "# nothing yet\n",
            "roles/web.yaml:1:1: error: file has no YAML documents; expected at least one with apiVersion and kind"),
        ["non-UTF-8 file"] = new("roles/web.yaml", string.Empty, "roles/web.yaml:3:10: error: file is not valid UTF-8; save it as UTF-8")
        {
            Bytes = [.. Encoding.ASCII.GetBytes(Role + "name: caf"), 0xE9, (byte)'\n'],
        },
        ["file over 10 MiB"] = new("roles/big.yaml", string.Empty, "roles/big.yaml: error: file is 10,485,777 bytes; fleet files are limited to 10 MiB")
        {
            Bytes = Encoding.ASCII.GetBytes("# " + new string('x', 10 * 1024 * 1024) + "\n" + Role + "name: big\n").AsSpan(0, (10 * 1024 * 1024) + 17).ToArray(),
        },
        ["alias expansion bomb"] = new("roles/bomb.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            "roles/bomb.yaml:5:4: error: YAML aliases expand to more than 100,000 values; refusing to expand them"),
        ["unknown alias"] = new("roles/web.yaml", Role + "name: *nothing\nimage: debian-12\n",
            "roles/web.yaml:3:7: error: malformed YAML: alias *nothing refers to an unknown anchor"),
        ["nesting too deep"] = new("roles/deep.yaml", "a: " + new string('[', 70) + new string(']', 70) + "\n",
            "roles/deep.yaml:1:68: error: YAML nested deeper than 64 levels"),
        ["mapping as a key"] = new("roles/web.yaml", Role + "? { name: web }\n: x\nimage: debian-12\n",
            "roles/web.yaml:3:3: error: mapping keys must be plain words, not a mapping"),
        ["document is a list"] = new("roles/web.yaml", "- apiVersion: fleet/v1\n  kind: Role\n",
            "roles/web.yaml:1:1: error: a document must be a mapping with apiVersion and kind, got a list"),

        // Document headers
        ["missing kind"] = new("roles/web.yaml", "apiVersion: fleet/v1\nname: web\nimage: debian-12\n",
            "roles/web.yaml:1:1: error: document has no 'kind'; expected one of Fleet, Role, Pool, Zone"),
        ["missing apiVersion"] = new("roles/web.yaml", "kind: Role\nname: web\nimage: debian-12\n",
            "roles/web.yaml:1:1: error: missing required field 'apiVersion' in Role"),
        ["wrong apiVersion"] = new("roles/web.yaml", "apiVersion: fleet/v2\nkind: Role\nname: web\nimage: debian-12\n",
            "roles/web.yaml:1:13: error: field 'apiVersion' must be 'fleet/v1', got 'fleet/v2'"),
        ["unknown kind"] = new("roles/web.yaml", "apiVersion: fleet/v1\nkind: Rol\nname: web\n",
            "roles/web.yaml:2:7: error: unknown kind 'Rol'; did you mean 'Role'?"),
        ["kind is a list"] = new("roles/web.yaml", "apiVersion: fleet/v1\nkind: [Role]\nname: web\n",
            "roles/web.yaml:2:7: error: field 'kind' must be one of Fleet, Role, Pool, Zone, got a list"),

        // Fields and types
        ["unknown field with suggestion"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsise: 3\n",
            "pools/web-lon.yaml:7:1: error: unknown field 'sise' in Pool; did you mean 'size'?"),
        ["unknown nested field"] = new("fleet.yaml", Fleet("power: { driver: simulated }", "power: { drivr: simulated }"),
            "fleet.yaml:8:14: error: unknown field 'drivr' in 'sites[0].power'; did you mean 'driver'?"),
        ["missing required field"] = new("roles/web.yaml", Role + "name: web\n",
            "roles/web.yaml:1:1: error: missing required field 'image' in Role"),
        ["size is a string"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsize: ten\n",
            "pools/web-lon.yaml:7:7: error: field 'size' must be a whole number ≥ 0, got 'ten'"),
        ["name is a list"] = new("roles/web.yaml", Role + "name: [web]\nimage: debian-12\n",
            "roles/web.yaml:3:7: error: field 'name' must be a DNS label (lowercase letters, digits and '-', not starting or ending with '-', at most 63 characters), got a list"),
        ["negative size"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsize: -3\n",
            "pools/web-lon.yaml:7:7: error: field 'size' must be a whole number ≥ 0, got -3"),
        ["fractional size"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsize: 2.5\n",
            "pools/web-lon.yaml:7:7: error: field 'size' must be a whole number ≥ 0, got 2.5"),
        ["size too large"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsize: 1e12\n",
            "pools/web-lon.yaml:7:7: error: field 'size' must be a whole number ≤ 1000000, got 1e12"),
        ["protect is not a boolean"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: compute\nsize: 3\nprotect: yes\n",
            "pools/web-lon.yaml:8:10: error: field 'protect' must be true or false, got 'yes'"),
        ["unknown backend"] = new("pools/web-lon.yaml", Pool + "backend: metal\nsite: lon\nhardware: compute\nsize: 3\n",
            "pools/web-lon.yaml:5:10: error: field 'backend' must be one of physical, gcp, got 'metal'"),
        ["unknown power driver"] = new("fleet.yaml", Fleet("driver: simulated", "driver: ipmii"),
            "fleet.yaml:8:22: error: field 'sites[0].power.driver' must be one of ipmi, redfish, simulated, got 'ipmii'; did you mean 'ipmi'?"),
        ["failure rate above 1"] = new("fleet.yaml", Fleet("driver: simulated", "driver: simulated, failureRate: 1.5"),
            "fleet.yaml:8:46: error: field 'sites[0].power.failureRate' must be a number from 0 to 1, got 1.5"),
        ["install timeout of zero"] = new("fleet.yaml", Fleet("driver: simulated", "driver: simulated, installTimeoutSeconds: 0"),
            "fleet.yaml:8:56: error: field 'sites[0].power.installTimeoutSeconds' must be a number ≥ 1, got 0"),
        ["max recycle percent above 100"] = new("fleet.yaml", FleetWith("safety:\n  maxRecyclePercent: 150\n"),
            "fleet.yaml:17:22: error: field 'safety.maxRecyclePercent' must be a whole number from 0 to 100, got 150"),
        ["no sites"] = new("fleet.yaml", "apiVersion: fleet/v1\nkind: Fleet\nname: test\nsites: []\nhardware:\n  - name: compute\n",
            "fleet.yaml:4:8: error: field 'sites' must list at least 1 item(s)"),
        ["password written as a value"] = new("fleet.yaml", Fleet("password: env:BMC_PASSWORD", "password: hunter2"),
            "fleet.yaml:12:55: error: field 'sites[1].power.password' must be a reference env:NAME or file:PATH (secrets are never written in YAML)"),

        ["gcp credentials written as a value"] = new("fleet.yaml", FleetWith("gcp:\n  project: acme-prod\n  credentials: '{\"private_key\": \"x\"}'\n"),
            "fleet.yaml:18:16: error: field 'gcp.credentials' must be adc (application default credentials) or a key file reference env:NAME or file:PATH"),
        ["dns ttl of zero"] = new("fleet.yaml", FleetWith("dns:\n  nameservers: [ns1.example.net.]\n  ttl: 0\n"),
            "fleet.yaml:18:8: error: field 'dns.ttl' must be a whole number ≥ 1, got 0"),
        ["second Fleet document"] = new("fleet.yaml", TempFleet.FleetYaml + "---\n" + TempFleet.FleetYaml,
            "fleet.yaml:17:1: error: a second Fleet document; a repository has one, at fleet.yaml:1:1"),

        // Names
        ["name not a DNS label"] = new("pools/web-lon.yaml", "apiVersion: fleet/v1\nkind: Pool\nname: Web_Lon\nrole: web\nsite: lon\nhardware: compute\nsize: 3\n",
            "pools/web-lon.yaml:3:7: error: field 'name' must be a DNS label (lowercase letters, digits and '-', not starting or ending with '-', at most 63 characters), got 'Web_Lon'"),
        ["name too long"] = new("roles/web.yaml", Role + $"name: {new string('a', 64)}\nimage: debian-12\n",
            $"roles/web.yaml:3:7: error: field 'name' must be a DNS label (lowercase letters, digits and '-', not starting or ending with '-', at most 63 characters), got '{new string('a', 64)}'"),
        ["name ends with a dash"] = new("roles/web.yaml", Role + "name: web-\nimage: debian-12\n",
            "roles/web.yaml:3:7: error: field 'name' must be a DNS label (lowercase letters, digits and '-', not starting or ending with '-', at most 63 characters), got 'web-'"),
        ["site domain not a DNS name"] = new("fleet.yaml", Fleet("domain: lon.example.net", "domain: Lon_Example"),
            "fleet.yaml:6:13: error: field 'sites[0].domain' must be a DNS name (dot-separated DNS labels, lowercase), got 'Lon_Example'"),
        ["site domain of one label"] = new("fleet.yaml", Fleet("domain: lon.example.net", "domain: lon"),
            "fleet.yaml:6:13: error: site 'lon': domain 'lon' must have at least two labels, such as lon.example.net"),

        // References and uniqueness
        ["dangling role"] = new("pools/web-lon.yaml", "apiVersion: fleet/v1\nkind: Pool\nname: web-lon\nrole: wbe\nsite: lon\nhardware: compute\nsize: 3\n",
            "pools/web-lon.yaml:4:7: error: pool 'web-lon': role 'wbe' is not defined; did you mean 'web'?"),
        ["dangling site"] = new("pools/web-lon.yaml", Pool + "site: ams\nhardware: compute\nsize: 3\n",
            "pools/web-lon.yaml:5:7: error: pool 'web-lon': site 'ams' is not defined in fleet.yaml"),
        ["dangling hardware"] = new("pools/web-lon.yaml", Pool + "site: lon\nhardware: hi-io\nsize: 3\n",
            "pools/web-lon.yaml:6:11: error: pool 'web-lon': hardware 'hi-io' is not defined in fleet.yaml; did you mean 'high-io'?"),
        ["duplicate pool across files"] = new("pools/zz-copy.yaml", TempFleet.PoolYaml,
            "pools/zz-copy.yaml:3:7: error: duplicate Pool name 'web-lon'; it is already defined at pools/web-lon.yaml:3:7"),
        ["duplicate role in one file"] = new("roles/web.yaml", TempFleet.RoleYaml + "---\n" + TempFleet.RoleYaml,
            "roles/web.yaml:8:7: error: duplicate Role name 'web'; it is already defined at roles/web.yaml:3:7"),
        ["duplicate site"] = new("fleet.yaml", Fleet("- name: sto", "- name: lon"),
            "fleet.yaml:9:11: error: duplicate site name 'lon'; it is already defined at fleet.yaml:5:11"),
        ["duplicate site domain"] = new("fleet.yaml", Fleet("domain: sto.example.net", "domain: lon.example.net"),
            "fleet.yaml:10:13: error: site 'sto': domain 'lon.example.net' is already the domain of site 'lon'"),
        ["duplicate hardware"] = new("fleet.yaml", Fleet("- name: high-io", "- name: compute"),
            "fleet.yaml:15:11: error: duplicate hardware name 'compute'; it is already defined at fleet.yaml:14:11"),
        ["Fleet outside fleet.yaml"] = new("more/fleet2.yaml", TempFleet.FleetYaml,
            "more/fleet2.yaml:1:1: error: the Fleet document belongs in fleet.yaml"),

        // Backends
        ["physical pool without site"] = new("pools/web-lon.yaml", Pool + "hardware: compute\nsize: 3\n",
            "pools/web-lon.yaml:3:7: error: pool 'web-lon': a physical pool needs 'site'"),
        ["gcp pool with site"] = new("pools/web-euw1.yaml", GcpPool + "site: lon\ngcp: { zone: europe-west1-b, machineType: n2-standard-8 }\nsize: 2\n",
            "pools/web-euw1.yaml:6:7: error: pool 'web-euw1': 'site' applies only to physical pools; a gcp pool is placed by gcp.zone and gcp.machineType"),
        ["gcp pool without machine type"] = new("pools/web-euw1.yaml", GcpPool + "gcp: { zone: europe-west1-b }\nsize: 2\n",
            "pools/web-euw1.yaml:6:6: error: missing required field 'machineType' in 'gcp'"),
        ["gcp pool without gcp section in fleet"] = new("pools/web-euw1.yaml", GcpPool + "gcp: { zone: europe-west1-b, machineType: n2-standard-8 }\nsize: 2\n",
            "pools/web-euw1.yaml:5:10: error: pool 'web-euw1': a gcp pool needs a 'gcp' section (project, credentials) in fleet.yaml"),
        ["gcp zone malformed"] = new("pools/web-euw1.yaml", GcpPool + "gcp: { zone: europe, machineType: n2-standard-8 }\nsize: 2\n",
            "pools/web-euw1.yaml:6:14: error: field 'gcp.zone' must be a Compute Engine zone such as europe-west1-b, got 'europe'"),
        ["simulated field on an ipmi site"] = new("fleet.yaml", Fleet("driver: ipmi,", "driver: ipmi, failureRate: 0.1,"),
            "fleet.yaml:12:41: error: site 'sto': power field 'failureRate' applies only to the simulated driver"),
        ["redfish caFile that does not exist"] = new("fleet.yaml", Fleet("driver: ipmi,", "driver: redfish, caFile: certs/bmc-ca.pem,"),
            "fleet.yaml:12:39: error: site 'sto': power.caFile 'certs/bmc-ca.pem' does not exist in the fleet repository; it is a PEM file of the CA or the BMC certificates, relative to the fleet directory"),
        ["redfish caFile outside the fleet directory"] = new("fleet.yaml", Fleet("driver: ipmi,", "driver: redfish, caFile: ../fleet.yaml,"),
            "fleet.yaml:12:39: error: site 'sto': power.caFile '../fleet.yaml' does not exist in the fleet repository; it is a PEM file of the CA or the BMC certificates, relative to the fleet directory"),
        ["caFile on an ipmi site"] = new("fleet.yaml", Fleet("driver: ipmi,", "driver: ipmi, caFile: fleet.yaml,"),
            "fleet.yaml:12:36: error: site 'sto': power field 'caFile' applies only to the redfish driver"),
        ["rndc push without server"] = new("fleet.yaml", FleetWith("dns:\n  nameservers: [ns1.example.net.]\n  push: { method: rndc, zoneDir: /var/zones, keyFile: env:RNDC_KEY }\n"),
            "fleet.yaml:18:9: error: dns.push method 'rndc' needs 'server'"),

        // Networks
        ["network not CIDR"] = new("fleet.yaml", Fleet("[10.1.0.0/16]", "[10.1.0.0]"),
            "fleet.yaml:7:16: error: site 'lon': '10.1.0.0' is not a network in CIDR notation such as 10.1.0.0/16 (decimal octets without leading zeros)"),
        ["network with a leading zero (octal to IPAddress.Parse: 42.10.in-addr.arpa)"] = new("fleet.yaml", Fleet("[10.1.0.0/16]", "[10.052.0.0/16]"),
            "fleet.yaml:7:16: error: site 'lon': '10.052.0.0/16' is not a network in CIDR notation such as 10.1.0.0/16 (decimal octets without leading zeros)"),
        ["network in hex"] = new("fleet.yaml", Fleet("[10.1.0.0/16]", "[0x0a.1.0.0/16]"),
            "fleet.yaml:7:16: error: site 'lon': '0x0a.1.0.0/16' is not a network in CIDR notation such as 10.1.0.0/16 (decimal octets without leading zeros)"),
        ["network with host bits"] = new("fleet.yaml", Fleet("[10.1.0.0/16]", "[10.1.2.0/16]"),
            "fleet.yaml:7:16: error: site 'lon': '10.1.2.0/16' has host bits set; did you mean 10.1.0.0/16?"),
        ["overlapping networks"] = new("fleet.yaml", Fleet("[10.2.0.0/16]", "[10.1.128.0/20]"),
            "fleet.yaml:11:16: error: site 'sto': network 10.1.128.0/20 overlaps network 10.1.0.0/16 of site 'lon' (fleet.yaml:7:16)"),

        // Zones
        ["zone not managed"] = new("zones/other.yaml", "apiVersion: fleet/v1\nkind: Zone\nname: other.example.org\nrecords: []\n",
            "zones/other.yaml:3:7: error: zone 'other.example.org' is not managed by this fleet: it is neither a site domain nor a reverse zone of a site network"),
        ["CNAME at the apex"] = new("zones/lon.yaml", Zone + "  - { name: \"@\", type: CNAME, value: www.example.org. }\n",
            "zones/lon.yaml:5:5: error: zone 'lon.example.net': a CNAME cannot be at the zone apex (@)"),
        ["CNAME beside other records"] = new("zones/lon.yaml", Zone + "  - { name: www, type: A, value: 10.1.0.1 }\n  - { name: www, type: CNAME, value: lb }\n",
            "zones/lon.yaml:6:5: error: zone 'lon.example.net': 'www' has a CNAME and other records (also at zones/lon.yaml:5:5); a CNAME must be the only record of its name"),
        ["A record with a bad address"] = new("zones/lon.yaml", Zone + "  - { name: www, type: A, value: 10.1.0.300 }\n",
            "zones/lon.yaml:5:5: error: zone 'lon.example.net': A record 'www': '10.1.0.300' is not an IPv4 address (four decimal octets without leading zeros)"),
        ["record type that is a sequence"] = new("zones/lon.yaml", Zone + "  - { name: www, type: [1, 2], value: 10.1.0.1 }\n",
            "zones/lon.yaml:5:24: error: field 'records[0].type' must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, PTR, CAA, got a list"),
                ["A record with a leading zero"] = new("zones/lon.yaml", Zone + "  - { name: www, type: A, value: 10.1.0.011 }\n",
            "zones/lon.yaml:5:5: error: zone 'lon.example.net': A record 'www': '10.1.0.011' is not an IPv4 address (four decimal octets without leading zeros)"),
        ["MX record without preference"] = new("zones/lon.yaml", Zone + "  - { name: \"@\", type: MX, value: mail.example.net. }\n",
            "zones/lon.yaml:5:5: error: zone 'lon.example.net': MX record '@': 'mail.example.net.' must be '<preference> <host>', such as '10 mail.example.net.'"),
        ["unknown record type"] = new("zones/lon.yaml", Zone + "  - { name: www, type: AAA, value: \"::1\" }\n",
            "zones/lon.yaml:5:24: error: field 'records[0].type' must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, PTR, CAA, got 'AAA'; did you mean 'AAAA'?"),
        ["duplicate record"] = new("zones/lon.yaml", Zone + "  - { name: lb, type: A, value: 10.1.0.1 }\n  - { name: lb, type: A, value: 10.1.0.1 }\n",
            "zones/lon.yaml:6:5: error: zone 'lon.example.net': duplicate A record 'lb' (also at zones/lon.yaml:5:5)"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_input_is_reported_with_message_and_location(string name)
    {
        var @case = Cases[name];
        using var fleet = new TempFleet();
        fleet.Write(@case.File, @case.Bytes ?? Encoding.UTF8.GetBytes(@case.Content));

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.False(result.Succeeded);
        Assert.Null(result.Desired);
        var rendered = result.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.True(rendered.Contains(@case.Expected), $"expected:\n{@case.Expected}\ngot:\n{string.Join('\n', rendered)}");
    }

    [Fact]
    public void There_are_at_least_forty_cases() => Assert.True(Cases.Count >= 40, $"{Cases.Count} cases");

    [Fact]
    public void A_redfish_caFile_of_the_fleet_repository_is_accepted_and_read()
    {
        using var fleet = new TempFleet();
        fleet.Write("fleet.yaml", Fleet("driver: ipmi,", "driver: redfish, caFile: ./certs/bmc-ca.pem,"));
        fleet.Write("certs/bmc-ca.pem", "-----BEGIN CERTIFICATE-----\n");

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal("./certs/bmc-ca.pem", result.Desired!.FindSite("sto")!.Power().CaFile);
    }

    [Fact]
    public void A_secret_written_in_the_yaml_is_not_repeated_in_the_message()
    {
        using var fleet = new TempFleet();
        fleet.Write("fleet.yaml", Fleet("password: env:BMC_PASSWORD", "password: hunter2"));

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("hunter2", StringComparison.Ordinal));
        Assert.NotEmpty(result.Diagnostics);
    }
}
