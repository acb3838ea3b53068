using System.Text.Json;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Commands;

public sealed class SchemaCommandTests
{
    [Theory]
    [InlineData("Pool", "pool.schema.json")]
    [InlineData("fleet", "fleet.schema.json")]
    [InlineData("ZONE", "zone.schema.json")]
    public async Task Prints_the_schema_of_a_kind_as_shipped_in_schemas(string kind, string file)
    {
        var run = await CliRun.RunAsync(Examples.RepositoryRoot, "schema", kind);

        Assert.Equal(0, run.ExitCode);
        var expected = File.ReadAllText(Path.Combine(Examples.RepositoryRoot, "schemas", file)).TrimEnd();
        Assert.Equal(expected + Environment.NewLine, run.Out);
    }

    [Fact]
    public async Task Without_a_kind_prints_every_schema_as_one_json_array()
    {
        var run = await CliRun.RunAsync(Examples.RepositoryRoot, "schema");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(
            ["Fleet", "Role", "Pool", "Zone"],
            json.RootElement.EnumerateArray().Select(s => s.GetProperty("properties").GetProperty("kind").GetProperty("const").GetString()));
    }

    [Fact]
    public async Task An_unknown_kind_is_an_error()
    {
        var run = await CliRun.RunAsync(Examples.RepositoryRoot, "schema", "Pol");

        Assert.Equal((1, "error: unknown kind 'Pol'; expected one of Fleet, Role, Pool, Zone" + Environment.NewLine), (run.ExitCode, run.Err));
    }

    [Fact]
    public async Task Version_prints_the_version_of_the_built_program()
    {
        // The real program, not in-process: the version, commit and date are the ones its own build stamped.
        var program = BuiltFleetctl.Assembly;
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [program, "--version"]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Matches(@"^fleetctl \S+ \(commit ([0-9a-f]{12}|unknown), built \d{4}-\d\d-\d\d\S*\)\n$", output);
    }
}
