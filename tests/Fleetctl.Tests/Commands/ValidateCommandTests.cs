using System.Text.Json;
using Fleet.Tests.Shared;

namespace Fleetctl.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _fleet = Path.Combine(Path.GetTempPath(), "fleetctl-validate-" + Guid.NewGuid().ToString("N"));

    public ValidateCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_fleet, "pools"));
        File.WriteAllText(Path.Combine(_fleet, "fleet.yaml"), """
            apiVersion: fleet/v1
            kind: Fleet
            name: test
            sites:
              - { name: lon, domain: lon.example.net, networks: [10.1.0.0/16], power: { driver: simulated } }
            hardware:
              - name: compute

            """);
        File.WriteAllText(Path.Combine(_fleet, "pools", "web.yaml"), """
            apiVersion: fleet/v1
            kind: Pool
            name: web
            role: web
            site: lon
            hardware: compute
            sise: 3

            """);
    }

    public void Dispose() => Directory.Delete(_fleet, recursive: true);

    [Theory]
    [InlineData("quickstart", "fleet 'quickstart' is valid: 2 sites, 3 roles, 5 pools, 1 zone")]
    [InlineData("acme", "fleet 'acme' is valid: 3 sites, 7 roles, 16 pools, 3 zones")]
    public async Task The_examples_validate_with_exit_code_0(string example, string summary)
    {
        var run = await CliRun.RunAsync(Examples.RepositoryRoot, "validate", "-C", Path.Combine("examples", example));

        Assert.Equal((0, summary + Environment.NewLine, string.Empty), (run.ExitCode, run.Out, run.Err));
    }

    [Fact]
    public async Task Errors_are_printed_sorted_with_paths_relative_to_the_fleet_and_exit_code_1()
    {
        var run = await CliRun.RunAsync(Path.GetTempPath(), "validate", "--dir", _fleet);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [
                "pools/web.yaml:1:1: error: missing required field 'size' in Pool",
                "pools/web.yaml:7:1: error: unknown field 'sise' in Pool; did you mean 'size'?",
                "2 errors",
            ],
            run.Err.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Json_format_lists_every_diagnostic_with_its_location()
    {
        var run = await CliRun.RunAsync(_fleet, "validate", "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("errors").GetInt32());
        var first = json.RootElement.GetProperty("diagnostics")[0];
        Assert.Equal(
            ("error", "pools/web.yaml", 1, 1, "missing required field 'size' in Pool"),
            (first.GetProperty("severity").GetString(), first.GetProperty("file").GetString(), first.GetProperty("line").GetInt32(),
             first.GetProperty("column").GetInt32(), first.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Json_format_of_a_valid_fleet_has_no_diagnostics()
    {
        var run = await CliRun.RunAsync(Examples.RepositoryRoot, "validate", "-C", "examples/quickstart", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("diagnostics").GetArrayLength());
    }

    [Fact]
    public async Task A_missing_directory_is_a_clear_error_without_a_stack_trace()
    {
        var missing = Path.Combine(_fleet, "nope");

        var run = await CliRun.RunAsync(_fleet, "validate", "-C", "nope");

        Assert.Equal((1, $"error: fleet directory {missing} does not exist{Environment.NewLine}"), (run.ExitCode, run.Err));
    }

    [Fact]
    public async Task Json_format_reports_a_missing_directory_as_a_diagnostic()
    {
        var run = await CliRun.RunAsync(_fleet, "validate", "-C", "nope", "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var diagnostic = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal($"fleet directory {Path.Combine(_fleet, "nope")} does not exist", diagnostic.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, diagnostic.GetProperty("file").ValueKind);
    }

    [Fact]
    public async Task A_directory_without_fleet_yaml_is_a_clear_error()
    {
        var run = await CliRun.RunAsync(_fleet, "validate", "-C", "pools");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: no fleet.yaml in {Path.Combine(_fleet, "pools")}; a fleet directory has fleet.yaml at its root", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_writes_nothing_into_the_fleet_directory()
    {
        var before = Directory.GetFileSystemEntries(_fleet, "*", SearchOption.AllDirectories).Order().ToList();

        await CliRun.RunAsync(_fleet, "validate");

        Assert.Equal(before, Directory.GetFileSystemEntries(_fleet, "*", SearchOption.AllDirectories).Order());
    }
}
