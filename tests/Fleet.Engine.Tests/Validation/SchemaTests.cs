using System.Text.Json;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Tests.Loading;
using Fleet.Engine.Validation;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Validation;

public sealed class SchemaTests
{
    [Theory]
    [InlineData("Fleet")]
    [InlineData("Role")]
    [InlineData("Pool")]
    [InlineData("Zone")]
    public void The_embedded_schema_of_each_kind_is_the_file_in_schemas(string kind)
    {
        var embedded = StandardProviders.Catalog.Schemas.Text(kind);

        Assert.Equal(File.ReadAllText(Path.Combine(Examples.RepositoryRoot, "schemas", FleetKinds.SchemaFile(kind))), embedded);
        using var schema = JsonDocument.Parse(embedded);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        Assert.Equal(kind, schema.RootElement.GetProperty("properties").GetProperty("kind").GetProperty("const").GetString());
    }

    [Theory]
    [InlineData("sise", new[] { "size", "site", "name" }, "size")]
    [InlineData("drivr", new[] { "driver", "username" }, "driver")]
    [InlineData("hi-io", new[] { "compute", "high-io" }, "high-io")]
    [InlineData("memory", new[] { "size", "site" }, null)]
    public void Suggestions_name_the_closest_plausible_candidate(string typed, string[] candidates, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(typed, candidates));
}

/// <summary>
/// The fast check decides which documents JsonSchema.Net never sees, so it must agree with
/// JsonSchema.Net on every document: the examples, every bad-input case and the edge cases below.
/// </summary>
public sealed class FastCheckAgreementTests
{
    private const string Pool = "apiVersion: fleet/v1\nkind: Pool\nname: web\nrole: web\nsite: lon\nhardware: compute\n";

    public static TheoryData<string, string> EdgeDocuments() => new()
    {
        { "Pool", Pool + "size: 2.0\n" },
        { "Pool", Pool + "size: 1e2\n" },
        { "Pool", Pool + "size: 0x10\n" },
        { "Pool", Pool + "size: .inf\n" },
        { "Pool", Pool + "size: \"3\"\n" },
        { "Pool", Pool + "size: 3\nprotect: null\n" },
        { "Pool", Pool + "size: 3\nprotect: false\n" },
        { "Pool", Pool + "size: 3\ngcp: { zone: europe-west1-b, machineType: n2-standard-8, extra: 1 }\n" },
        { "Pool", Pool + "size: 3\nbackend: 1\n" },
        { "Pool", "apiVersion: fleet/v1\nkind: Pool\nname: 123\nrole: web\nsize: 1\n" },
        { "Role", "apiVersion: fleet/v1\nkind: Role\nname: web\nimage: \"\"\n" },
        { "Role", "apiVersion: fleet/v1\nkind: Role\nname: web\nimage: debian-12\nowner: \"\"\n" },
        { "Zone", "apiVersion: fleet/v1\nkind: Zone\nname: lon.example.net\nrecords: []\n" },
        { "Zone", "apiVersion: fleet/v1\nkind: Zone\nname: lon.example.net\nrecords: [{ name: a, type: A, value: 1.2.3.4, ttl: 0 }]\n" },
        { "Fleet", "apiVersion: fleet/v1\nkind: Fleet\nname: f\nsites: [{ name: a, domain: a.b, networks: [], power: { driver: ipmi } }]\nhardware: [{ name: h }]\n" },
        { "Fleet", "apiVersion: fleet/v1\nkind: Fleet\nname: f\nsites: [{ name: a, domain: a.b, networks: [x], power: { driver: simulated, failureRate: 1 } }]\nhardware: [{ name: h }]\n" },
        { "Fleet", "apiVersion: fleet/v1\nkind: Fleet\nname: f\nsites: [{ name: a, domain: a.b, networks: [x], power: { driver: simulated, failureRate: 1.01 } }]\nhardware: [{ name: h }]\n" },
    };

    [Theory]
    [MemberData(nameof(EdgeDocuments))]
    public void The_fast_check_agrees_with_json_schema_on_edge_cases(string kind, string yaml) => AssertAgreement(kind, yaml);

    [Fact]
    public void The_fast_check_agrees_with_json_schema_on_the_examples_and_every_bad_input_case()
    {
        var documents = Directory.EnumerateFiles(Path.Combine(Examples.RepositoryRoot, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Select(File.ReadAllText)
            .Concat(BadInputTests.Cases.Values.Where(c => c.Bytes is null).Select(c => c.Content))
            .Concat([TempFleet.FleetYaml, TempFleet.RoleYaml, TempFleet.PoolYaml]);
        var compared = 0;
        foreach (var text in documents)
        {
            foreach (var document in YamlFileReader.Parse("case.yaml", text, new List<Fleet.Engine.Diagnostics.Diagnostic>()))
            {
                if (document.Root is YamlMapping { } root && root["kind"] is YamlScalar { } kind && FleetKinds.All.Contains(kind.Text))
                {
                    Assert.Equal(StandardProviders.Catalog.Schemas.IsValidPerJsonSchema(kind.Text, root), StandardProviders.Catalog.Schemas.IsValidPerFastCheck(kind.Text, root));
                    compared++;
                }
            }
        }

        Assert.True(compared > 60, $"{compared} documents compared");
    }

    private static void AssertAgreement(string kind, string yaml)
    {
        var root = Assert.Single(YamlFileReader.Parse("case.yaml", yaml, new List<Fleet.Engine.Diagnostics.Diagnostic>())).Root;
        Assert.Equal(StandardProviders.Catalog.Schemas.IsValidPerJsonSchema(kind, root), StandardProviders.Catalog.Schemas.IsValidPerFastCheck(kind, root));
    }
}
