using System.Text.Json;
using Fleet.Engine.Tests.Loading;
using Fleet.Engine.Validation;

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
        var embedded = FleetSchemas.Text(kind);

        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "schemas", FleetKinds.SchemaFile(kind))), embedded);
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
