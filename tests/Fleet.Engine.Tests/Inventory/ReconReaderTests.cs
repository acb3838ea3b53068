using System.Text;
using Fleet.Engine.Inventory;

namespace Fleet.Engine.Tests.Inventory;

public sealed class ReconReaderTests
{
    private static readonly ReconCatalog Catalog = new(new HashSet<string> { "lon", "sto" }, new HashSet<string> { "high-io" });

    private static (System.Collections.Immutable.ImmutableArray<ReconRecord> Records, string[] Errors) Read(params (string Name, string Text)[] files)
    {
        var (records, diagnostics) = ReconReader.Read(files.Select(f => new ReconInput(f.Name, Encoding.UTF8.GetBytes(f.Text))), Catalog);
        return (records, [.. diagnostics.Select(d => d.ToString())]);
    }

    [Fact]
    public void An_object_an_array_and_NDJSON_are_all_read_and_normalised()
    {
        var (records, errors) = Read(
            ("one.json", """{"hardwareName":"A1","hardwareType":"high-io","site":"lon","rack":"r1","bmc":{"address":"10.0.0.1","port":623},"interfaces":[{"name":"eth0","mac":"0C-C4-7A-12-34-56","ip":"10.1.0.1"}]}"""),
            ("many.json", """[{"hardwareName":"B1","hardwareType":"high-io","site":"sto"},{"hardwareName":"B2","hardwareType":"high-io","site":"sto","interfaces":[{"name":"eth0","mac":"0cc47a123457","ip":"2001:DB8::1"}]}]"""),
            ("lines.ndjson", "{\"hardwareName\":\"C1\",\"hardwareType\":\"high-io\",\"site\":\"lon\"}\n{\"hardwareName\":\"C2\",\"hardwareType\":\"high-io\",\"site\":\"lon\"}\n"));

        Assert.Empty(errors);
        Assert.Equal(["A1", "B1", "B2", "C1", "C2"], records.Select(r => r.HardwareName));
        Assert.Equal(new BmcEndpoint("10.0.0.1", 623), records[0].Bmc);
        Assert.Equal<NetworkInterface>([new("eth0", "0c:c4:7a:12:34:56", "10.1.0.1")], records[0].Interfaces);
        Assert.Equal<NetworkInterface>([new("eth0", "0c:c4:7a:12:34:57", "2001:db8::1")], records[2].Interfaces);
        Assert.Equal(("lines.ndjson", 2, 1, 2), (records[4].Location.File, records[4].Location.Line, records[4].Location.Column, records[4].Number));
    }

    [Fact]
    public void Every_bad_record_is_reported_with_file_line_and_record_number()
    {
        var ndjson = string.Join('\n',
            """{"hardwareName":"A1","hardwareType":"high-io","site":"lon"}""",
            """{"hardwareName":"A2","hardwareType":"tiny","site":"mars","colour":"red"}""",
            """{"hardwareName":"A3","hardwareType":"high-io","site":"lon","interfaces":[{"name":"eth0","mac":"zz:00:00:00:00:01","ip":"10.1"}]}""",
            """{"hardwareName":"A1","hardwareType":"high-io","site":"lon","bmc":{"address":"x","port":70000}}""");

        var (_, errors) = Read(("recon.ndjson", ndjson));

        Assert.Equal(
            [
                "recon.ndjson:2:1: error: record 2: unknown field 'colour'",
                "recon.ndjson:2:1: error: record 2: unknown hardwareType 'tiny' (fleet.yaml declares: high-io)",
                "recon.ndjson:2:1: error: record 2: unknown site 'mars' (fleet.yaml declares: lon, sto)",
                "recon.ndjson:3:1: error: record 3: interfaces[0].mac: 'zz:00:00:00:00:01' is not a MAC address (expected six hex octets, e.g. 0c:c4:7a:12:34:56)",
                "recon.ndjson:3:1: error: record 3: interfaces[0].ip: '10.1' is not an IPv4 (four decimal octets without leading zeros) or IPv6 address",
                "recon.ndjson:4:1: error: record 4: bmc.port: expected a port number 1-65535, found 70000",
            ],
            errors);
    }

    [Fact]
    public void Nested_problems_are_reported_in_field_order_whatever_the_document_order()
    {
        var record = """
            {"interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","speed":10},{"name":"eth0","mac":"02:00:00:00:00:01"},"eth2"],
             "bmc":{"address":7,"user":"root"},"site":"lon","hardwareName":"bad serial!","rack":""}
            """;

        var (records, errors) = Read(("r.json", record));

        Assert.Empty(records);
        Assert.Equal(
            [
                "r.json:1:1: error: record 1: hardwareName 'bad serial!' must be 1-128 characters of letters, digits, '.', '_' and '-'",
                "r.json:1:1: error: record 1: hardwareType: required",
                "r.json:1:1: error: record 1: rack: expected a non-empty string, found \"\"",
                "r.json:1:1: error: record 1: unknown field 'bmc.user'",
                "r.json:1:1: error: record 1: bmc.address: expected a non-empty string, found 7",
                "r.json:1:1: error: record 1: unknown field 'interfaces[0].speed'",
                "r.json:1:1: error: record 1: interfaces[1].name: interface 'eth0' appears twice",
                "r.json:1:1: error: record 1: interfaces[1].mac: 02:00:00:00:00:01 appears twice",
                "r.json:1:1: error: record 1: interfaces[2]: expected an object {name, mac, ip?}, found a string",
            ],
            errors);
    }

    [Fact]
    public void Wrong_kinds_of_bmc_and_interfaces_are_reported()
    {
        var (_, errors) = Read(("r.json", """{"hardwareName":"A1","hardwareType":"high-io","site":"lon","bmc":[1],"interfaces":{"name":"eth0"}}"""));
        Assert.Equal(
            [
                "r.json:1:1: error: record 1: bmc: expected an object {address, port?}, found an array",
                "r.json:1:1: error: record 1: interfaces: expected an array, found an object",
            ],
            errors);
    }

    [Fact]
    public void A_serial_reported_twice_is_an_error_naming_the_first_place()
    {
        var record = """{"hardwareName":"A1","hardwareType":"high-io","site":"lon"}""";
        var (_, errors) = Read(("a.json", record), ("b.json", "\n\n" + record));
        Assert.Equal(["b.json:3:1: error: record 1: hardware name A1 appears twice (first at a.json:1:1, record 1)"], errors);
    }

    [Theory]
    [InlineData("{\"hardwareName\": \"A1\",\n  \"site\" \"lon\"}", "bad.json:2:10: error: malformed JSON: '\"' is invalid after a property name. Expected a ':'")]
    [InlineData("[{\"hardwareName\":\"A1\",\"hardwareType\":\"high-io\",\"site\":\"lon\"},\n 42]", "bad.json:2:2: error: record 2: expected a JSON object, found a number")]
    [InlineData("", "bad.json:1:1: error: no recon records in the file")]
    public void Malformed_json_is_reported_where_it_is(string text, string error)
    {
        var (_, errors) = Read(("bad.json", text));
        Assert.Equal([error], errors);
    }

    [Theory]
    [InlineData("10.050.0.011")] // octal to IPAddress.Parse: stored as 10.40.0.9
    [InlineData("0x0a.1.0.1")]
    [InlineData("10.1.256.1")]
    [InlineData("10.1.0.1 ")]
    [InlineData("::ffff:010.1.0.1")]
    [InlineData("fe80::1%eth0")]
    public void IPs_in_octal_hex_or_other_non_canonical_forms_are_refused_with_their_location(string ip)
    {
        var (records, errors) = Read(("r.json", $$"""
            {"hardwareName":"A1","hardwareType":"high-io","site":"lon",
             "interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","ip":{{System.Text.Json.JsonSerializer.Serialize(ip)}}}]}
            """));

        Assert.Empty(records);
        Assert.Equal([$"r.json:1:1: error: record 1: interfaces[0].ip: '{ip}' is not an IPv4 (four decimal octets without leading zeros) or IPv6 address"], errors);
    }

    [Theory]
    [InlineData("010.1.0.1")]
    [InlineData("0x7f.1")]
    [InlineData("10.1")]
    [InlineData("bmc_1.lon")]
    [InlineData("-bmc.lon")]
    public void A_BMC_address_must_be_a_canonical_IP_or_a_host_name(string address)
    {
        var (records, errors) = Read(("r.json", $$$"""{"hardwareName":"A1","hardwareType":"high-io","site":"lon","bmc":{"address":"{{{address}}}"}}"""));

        Assert.Empty(records);
        Assert.Equal([$"r.json:1:1: error: record 1: bmc.address: '{address}' is not an IP address (IPv4 as four decimal octets without leading zeros) or a host name"], errors);
    }

    [Fact]
    public void BMC_addresses_are_stored_in_the_form_ownership_compares()
    {
        var (records, errors) = Read(("r.json", """
            {"hardwareName":"A1","hardwareType":"high-io","site":"lon","bmc":{"address":"BMC-A1.Lon.Example.NET."}}
            {"hardwareName":"A2","hardwareType":"high-io","site":"lon","bmc":{"address":"2001:DB8::0:1"}}
            """));

        Assert.Empty(errors);
        Assert.Equal(["bmc-a1.lon.example.net", "2001:db8::1"], records.Select(r => r.Bmc!.Address));
    }

    [Fact]
    public void A_trailing_newline_is_not_part_of_a_valid_MAC_or_serial()
    {
        // .NET's $ matches before a final newline; the patterns must end at the end of the text.
        var (records, errors) = Read(("r.json", """{"hardwareName":"A1\n","hardwareType":"high-io","site":"lon","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01\n"}]}"""));

        Assert.Empty(records);
        Assert.Equal(
            [
                "r.json:1:1: error: record 1: hardwareName: contains the control character U+000A; recon fields are printable text",
                "r.json:1:1: error: record 1: interfaces[0].mac: contains the control character U+000A; recon fields are printable text",
            ],
            errors);
        Assert.Null(ReconReader.NormalizeMac("02:00:00:00:00:01\n"));
    }

    [Fact]
    public void Control_characters_in_any_field_are_refused()
    {
        var (records, errors) = Read(("r.json", """{"hardwareName":"A1","hardwareType":"high-io","site":"lon","rack":"\u001b]0;pwned\u0007\u001b[2J","interfaces":[{"name":"eth\u009b0","mac":"02:00:00:00:00:01"}]}"""));

        Assert.Empty(records);
        Assert.Equal(
            [
                "r.json:1:1: error: record 1: rack: contains the control character U+001B; recon fields are printable text",
                "r.json:1:1: error: record 1: interfaces[0].name: contains the control character U+009B; recon fields are printable text",
            ],
            errors);
    }

    [Fact]
    public void Invalid_UTF8_inside_a_string_is_a_located_error()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"hardwareName\":\"A1\",\n \"rack\":\"r\u0001\"}".Replace("\u0001", "", StringComparison.Ordinal));
        var broken = bytes.Take(bytes.Length - 3).Concat(new byte[] { 0xC3, 0x28, (byte)'"', (byte)'}' }).ToArray();

        var (records, diagnostics) = ReconReader.Read([new ReconInput("r.json", broken)], Catalog);

        Assert.Empty(records);
        Assert.Equal(["r.json:2:9: error: malformed JSON: a string is not valid UTF-8"], diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void A_field_given_twice_is_refused()
    {
        var (records, errors) = Read(("r.json", """{"hardwareName":"A1","hardwareType":"high-io","site":"lon","site":"sto","bmc":{"address":"10.0.0.1","address":"10.0.0.2"}}"""));

        Assert.Empty(records);
        Assert.Equal(
            [
                "r.json:1:1: error: record 1: field 'site' appears twice",
                "r.json:1:1: error: record 1: field 'bmc.address' appears twice",
            ],
            errors);
    }
}
