using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Tests.Loading;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.GitOps;

public sealed class GitOpsSettingsTests
{
    private static readonly int FleetLines = TempFleet.FleetYaml.Split('\n').Length;

    private const string Settings = """
        owners:
          storage-squad: "@acme/storage"
        gitops: { requireCommit: true }
        reconcile:
          mode: apply
          freeze:
            - { schedule: "0 17 * * FRI", duration: 63h }
          notify: { webhook: "https://hooks.example.net/fleet" }

        """;

    [Fact]
    public void Reads_owners_gitops_and_reconcile_policy()
    {
        using var fleet = new TempFleet().Write("fleet.yaml", TempFleet.FleetYaml + "\n" + Settings);

        var spec = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory)).Fleet;

        Assert.Equal("@acme/storage", spec.Owners["storage-squad"]);
        Assert.True(spec.GitOps?.RequireCommit);
        Assert.Equal(ReconcileMode.Apply, spec.Reconcile.Mode);
        var freeze = Assert.Single(spec.Reconcile.Freeze);
        Assert.Equal(("0 17 * * FRI", "63h"), (freeze.Schedule, freeze.Duration));
        Assert.Equal("https://hooks.example.net/fleet", spec.Reconcile.Webhook);
    }

    [Fact]
    public void Defaults_to_report_mode_without_freezes()
    {
        using var fleet = new TempFleet();

        var spec = StandardProviders.Loader.LoadOrThrow(new DirectorySource(fleet.Directory)).Fleet;

        Assert.Equal(ReconcileMode.Report, spec.Reconcile.Mode);
        Assert.Empty(spec.Reconcile.Freeze);
        Assert.Null(spec.GitOps);
    }

    [Theory]
    [InlineData("reconcile: { mode: sometimes }\n", 1, 20, "field 'reconcile.mode' must be one of")]
    [InlineData("reconcile:\n  freeze:\n    - { schedule: \"0 25 * * *\", duration: 2h }\n", 3, 19, "reconcile.freeze: cron expression '0 25 * * *': hour field '25': '25' is outside 0-23")]
    [InlineData("reconcile:\n  freeze:\n    - { schedule: \"0 1 * * *\", duration: forever }\n", 3, 42, "must be a duration such as 30m, 2h or 1h30m")]
    [InlineData("owners:\n  storage-squad: not a handle\n", 2, 18, "must be a code-host handle (@user or @org/team) or an email address")]
    [InlineData("gitops: { requireComit: true }\n", 1, 11, "unknown field 'requireComit' in 'gitops'; did you mean 'requireCommit'?")]
    public void Bad_settings_are_located_errors(string yaml, int line, int column, string message)
    {
        using var fleet = new TempFleet().Write("fleet.yaml", TempFleet.FleetYaml + "\n" + yaml);

        var result = StandardProviders.Loader.Load(new DirectorySource(fleet.Directory));

        var error = Assert.Single(result.Diagnostics);
        Assert.StartsWith($"fleet.yaml:{FleetLines + line}:{column}: error: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
