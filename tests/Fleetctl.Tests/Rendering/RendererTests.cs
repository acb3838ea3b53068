using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Fleet.Engine.Planning;
using Fleet.Providers.Dns;
using Fleet.Providers.Gcp.Planning;
using Fleet.Providers.Physical.Planning;
using Fleetctl.Rendering;

namespace Fleetctl.Tests.Rendering;

/// <summary>
/// Renderers against checked-in baselines in Baselines/. After an intended change of output, run the
/// tests with FLEET_UPDATE_BASELINES=1 and review the diff of the baseline files.
/// </summary>
public sealed class RendererTests
{
    public static TheoryData<string> Plans() => ["mixed", "empty", "hostile"];

    [Theory]
    [MemberData(nameof(Plans))]
    public async Task Text_matches_its_baseline(string name) =>
        await AssertBaseline($"{name}.txt", await Render(new TextPlanRenderer(FleetRuntime.Standard.Catalog.Actions, color: false), SamplePlans.Named(name)));

    [Fact]
    public async Task Text_is_coloured_only_when_asked() =>
        await AssertBaseline("mixed.color.txt", await Render(new TextPlanRenderer(FleetRuntime.Standard.Catalog.Actions, color: true), SamplePlans.Named("mixed")));

    [Theory]
    [MemberData(nameof(Plans))]
    public async Task Markdown_matches_its_baseline(string name) =>
        await AssertBaseline($"{name}.md", await Render(new MarkdownPlanRenderer(FleetRuntime.Standard.Catalog.Actions), SamplePlans.Named(name)));

    [Fact]
    public async Task Markdown_caps_huge_plans_with_and_n_more() =>
        await AssertBaseline("huge.md", await Render(new MarkdownPlanRenderer(FleetRuntime.Standard.Catalog.Actions, maxRows: 5), SamplePlans.Huge(pools: 3, perPool: 4)));

    [Fact]
    public async Task Json_is_the_plan_file()
    {
        var plan = SamplePlans.Named("mixed");

        var json = await Render(new JsonPlanRenderer(), plan);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(PlanFile.Serialize(plan)), json);
        Assert.Equal(plan.Checksum, PlanFile.Parse(System.Text.Encoding.UTF8.GetBytes(json), "stdout", FleetRuntime.Standard.Catalog.Actions).Checksum);
    }

    /// <summary>On the process's standard output the plan file's bytes bypass the text writer, after what it already holds.</summary>
    [Fact]
    public async Task Json_to_a_byte_stream_is_the_plan_file_after_the_text_before_it()
    {
        var plan = SamplePlans.Huge(pools: 40, perPool: 50);
        using var bytes = new MemoryStream();
        await using var text = new StreamWriter(bytes, new System.Text.UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
        await text.WriteAsync("before\n");

        await new JsonPlanRenderer(bytes).RenderAsync(plan, text, CancellationToken.None);

        Assert.Equal([.. "before\n"u8, .. PlanFile.Serialize(plan)], bytes.ToArray());
    }

    [Fact]
    public async Task An_action_a_provider_declares_renders_with_its_kind_and_wording()
    {
        var actions = new ActionCatalog([
            .. FleetRuntime.Standard.Catalog.Actions.All,
            new ActionDescriptor("adopt", ChangeKind.Create, "machine", "adopt"),
            new ActionDescriptor("rebuild", ChangeKind.Replace, "machine", "rebuild"),
        ]);
        var plan = SamplePlans.Seal(
            [
                SamplePlans.Change("1", "pool/db-lon", "cmdb", new ChangeAction("adopt"), "adopt", "S1", "lon-db-00001"),
                SamplePlans.Change("2", "pool/db-lon", "cmdb", new ChangeAction("rebuild"), "image", "S2", "lon-db-00002"),
            ],
            []);

        var text = await Render(new TextPlanRenderer(actions, color: false), plan);
        var markdown = await Render(new MarkdownPlanRenderer(actions), plan);

        Assert.Contains("  + adopt S1 as lon-db-00001 (adopt)\n", text, StringComparison.Ordinal);
        Assert.Contains("  -/+ rebuild S2 as lon-db-00002 (image)\n", text, StringComparison.Ordinal);
        const string Sentence = "Plan: 0 to install, 0 to recycle, 0 to resize, 0 zones to push, 1 machine to adopt, 1 machine to rebuild.";
        Assert.EndsWith($"\n{Sentence}\n", text, StringComparison.Ordinal);
        Assert.Contains($"**{Sentence}**", markdown, StringComparison.Ordinal);
        Assert.Contains("| adopt | 1 |\n| rebuild | 1 |\n", markdown, StringComparison.Ordinal);
        Assert.Contains("| -/+ | rebuild |", markdown, StringComparison.Ordinal);
        Assert.Equal([KeyValuePair.Create("adopt", 1), KeyValuePair.Create("rebuild", 1)], plan.Summary.ToArray());
    }

    [Fact]
    public async Task The_sentence_counts_the_main_actions_always_and_the_others_only_when_present()
    {
        var text = await Render(new TextPlanRenderer(FleetRuntime.Standard.Catalog.Actions, color: false), SamplePlans.Seal([SamplePlans.Change("1", "pool/b-euw1", "gcp", GcpActions.DeleteGroup, "destroy")], []));

        Assert.EndsWith("\nPlan: 0 to install, 0 to recycle, 0 to resize, 0 zones to push, 1 group to delete.\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<img src=x onerror=alert(1)>", "&#60;img src=x onerror=alert(1)&#62;")]
    [InlineData("[click](https://evil)", "&#91;click&#93;(https:/" + "/evil)")]
    [InlineData("a|b", "a&#124;b")]
    [InlineData("@storage-squad", "&#64;storage-squad")]
    [InlineData("**bold** _it_ `code`", "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#96;code&#96;")]
    [InlineData("line\nbreak", "line break")]
    [InlineData("lon-fancydb-7f3k2", "lon-fancydb-7f3k2")]
    public void Markdown_escaping_neutralises_syntax(string input, string expected) =>
        Assert.Equal(expected, MarkdownPlanRenderer.Escape(input));

    private static async Task<string> Render(IPlanRenderer renderer, Plan plan)
    {
        using var output = new StringWriter();
        await renderer.RenderAsync(plan, output, CancellationToken.None);
        return output.ToString();
    }

    private static async Task AssertBaseline(string file, string actual, [CallerFilePath] string source = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(source)!, "Baselines", file);
        if (Environment.GetEnvironmentVariable("FLEET_UPDATE_BASELINES") == "1")
        {
            await File.WriteAllTextAsync(path, actual);
        }

        Assert.True(File.Exists(path), $"baseline {file} is missing; run with FLEET_UPDATE_BASELINES=1 to create it");
        Assert.Equal(await File.ReadAllTextAsync(path), actual);
    }
}

/// <summary>Plans built by hand, covering every action, limits, dependencies and hostile names.</summary>
internal static class SamplePlans
{
    public static Plan Named(string name) => name switch
    {
        "mixed" => Mixed(),
        "empty" => Seal([], ["pool/old: no longer declared; its 2 machines are kept (plan with --allow-destroy to recycle them)"]),
        "hostile" => Seal(
            [Change("1", "pool/<script>alert(1)</script>", "physical", PhysicalActions.Install, "grow\u001b[31m", "S|1", "h*st_[x](y)")],
            ["@everyone ![img](http://x) | </details>"]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static Plan Huge(int pools, int perPool) =>
        Seal([.. Enumerable.Range(0, pools * perPool).Select(i =>
            Change($"{i + 1}", $"pool/p{i / perPool}", "physical", PhysicalActions.Install, "grow", $"S{i:000}", $"lon-web-{i:00000}"))], []);

    private static Plan Mixed() => Seal(
        [
            Change("1", "pool/fancydb-lon", "physical", PhysicalActions.Install, "grow", "C0MPUT3", "lon-fancydb-7f3k2"),
            Change("2", "pool/fancydb-lon", "physical", PhysicalActions.Install, "replace", "C0MPUT4", "lon-fancydb-q81zz"),
            Change("3", "pool/fancydb-lon", "physical", PhysicalActions.Recycle, "replace", "BR0K3N", "lon-fancydb-aaaaa"),
            Change("4", "pool/web-lon", "physical", PhysicalActions.Install, "reimage", "W3B1", "lon-web-0x1yz") with
            {
                Before = new JsonObject { ["image"] = "debian-11", ["role"] = "web" },
                After = new JsonObject { ["image"] = "debian-12", ["role"] = "web" },
            },
            Change("5", "pool/fancydb-euw1", "gcp", GcpActions.Resize, "grow") with
            {
                Before = new JsonObject { ["size"] = 18 },
                After = new JsonObject { ["size"] = 20 },
            },
            Change("6", "pool/batch-euw1", "gcp", GcpActions.CreateGroup, "grow"),
            Change("7", "zone/lon.acme.net", "dns", DnsActions.ZonePush, "records") with { DependsOn = ["1", "2", "3"] },
        ],
        ["pool/web-lon: reimaging 1 of 4 machines in this apply (safety.maxRecyclePercent 25%); the rest follow in later applies"]);

    internal static PlannedChange Change(string id, string address, string provider, ChangeAction action, string reason, string? machine = null, string? hostname = null) => new()
    {
        Id = id,
        Address = address,
        Provider = provider,
        Action = action,
        Reason = reason,
        Machine = machine,
        Hostname = hostname,
        Site = provider == "physical" ? "lon" : null,
    };

    internal static Plan Seal(ImmutableArray<PlannedChange> changes, ImmutableArray<string> limits) => PlanFile.Seal(new Plan(
        Plan.CurrentFormatVersion,
        "acme",
        PlanSource.Git("0123456789abcdef0123456789abcdef01234567", "refs/heads/main"),
        changes,
        ImmutableSortedDictionary<string, string>.Empty,
        limits,
        string.Empty));
}
