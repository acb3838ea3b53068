using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Planning;

public sealed class PlanFileTests
{
    internal static Plan Sample() => PlanFile.Seal(new Plan(
        Plan.CurrentFormatVersion,
        "acme",
        PlanSource.Git("0123456789abcdef0123456789abcdef01234567", "refs/heads/main"),
        [
            new PlannedChange
            {
                Id = "1", Address = "pool/fancydb-lon", Provider = "physical", Action = TestActions.Install, Reason = "grow",
                Machine = "C0MPUT3", Hostname = "lon-fancydb-7f3k2", Site = "lon",
                Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("role", "fancydb"), KeyValuePair.Create("image", "debian-12")]),
            },
            new PlannedChange
            {
                Id = "2", Address = "pool/fancydb-euw1", Provider = "gcp", Action = TestActions.Resize, Reason = "grow",
                Before = new JsonObject { ["size"] = 18 }, After = new JsonObject { ["size"] = 20, ["machineType"] = "n2-standard-8" },
            },
            new PlannedChange
            {
                Id = "3", Address = "zone/lon.acme.net", Provider = "dns", Action = TestActions.ZonePush, Reason = "records", DependsOn = ["1"],
            },
        ],
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("physical:machine/C0MPUT3", "4"), KeyValuePair.Create("physical:pool/fancydb-lon", "none")]),
        ["pool/db: reimaging 2 of 8 machines in this apply"],
        string.Empty));

    [Fact]
    public void Writes_the_documented_format_in_a_fixed_key_order()
    {
        var text = Encoding.UTF8.GetString(PlanFile.Serialize(Sample()));

        Assert.StartsWith("{\n  \"formatVersion\": 2,\n  \"fleet\": \"acme\",\n  \"source\": {\n    \"kind\": \"git\",", text, StringComparison.Ordinal);
        Assert.Contains("\"before\": {\n        \"size\": 18\n      },\n      \"after\": {\n        \"machineType\": \"n2-standard-8\",\n        \"size\": 20\n      }", text, StringComparison.Ordinal);
        Assert.Contains("\"summary\": {\n    \"install\": 1,\n    \"resize\": 1,\n    \"zone_push\": 1\n  },", text, StringComparison.Ordinal);
        Assert.EndsWith($"  \"checksum\": \"{Sample().Checksum}\"\n}}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_written_plan_gives_the_same_plan_and_the_same_bytes()
    {
        var bytes = PlanFile.Serialize(Sample());

        var read = PlanFile.Parse(bytes, "plan.json", TestActions.Catalog);

        Assert.Equal(Sample().Checksum, read.Checksum);
        Assert.Equal(bytes, PlanFile.Serialize(read));
        Assert.Equal(["1"], read.Changes[2].DependsOn.ToArray());
        Assert.Equal("debian-12", read.Changes[0].Parameters["image"]);
    }

    [Fact]
    public void The_checksum_ignores_whitespace_but_not_content()
    {
        var compact = JsonNode.Parse(PlanFile.Serialize(Sample()))!.ToJsonString();

        Assert.Equal(Sample().Checksum, PlanFile.Parse(Encoding.UTF8.GetBytes(compact), "plan.json", TestActions.Catalog).Checksum);
    }

    [Fact]
    public void Same_plan_different_insertion_order_of_before_after_keys_gives_the_same_checksum()
    {
        var plan = Sample();
        var reordered = plan with
        {
            Changes = plan.Changes.SetItem(1, plan.Changes[1] with { After = new JsonObject { ["machineType"] = "n2-standard-8", ["size"] = 20 } }),
        };

        Assert.Equal(plan.Checksum, PlanFile.ComputeChecksum(reordered));
    }

    [Fact]
    public void A_copy_of_a_sealed_plan_with_other_changes_is_written_with_its_own_checksum()
    {
        var plan = Sample();
        var copy = plan with { Changes = plan.Changes.SetItem(0, plan.Changes[0] with { Reason = "replace" }) };

        var written = PlanFile.Parse(PlanFile.Serialize(copy), "plan.json", TestActions.Catalog);

        Assert.Equal(PlanFile.ComputeChecksum(copy), written.Checksum);
        Assert.NotEqual(plan.Checksum, written.Checksum);
    }

    [Theory]
    [InlineData("\"hostname\": \"lon-fancydb-7f3k2\"", "\"hostname\": \"lon-fancydb-evil1\"")]
    [InlineData("\"dependsOn\": [\n        \"1\"\n      ]", "\"dependsOn\": []")]
    [InlineData("\"physical:machine/C0MPUT3\": \"4\"", "\"physical:machine/C0MPUT3\": \"5\"")]
    [InlineData("\"install\": 1,", "\"install\": 7,")]
    public void An_edited_plan_is_refused(string original, string edited)
    {
        var text = Encoding.UTF8.GetString(PlanFile.Serialize(Sample()));
        Assert.Contains(original, text, StringComparison.Ordinal);

        var error = Assert.Throws<FleetException>(() => PlanFile.Parse(Encoding.UTF8.GetBytes(text.Replace(original, edited, StringComparison.Ordinal)), "plan.json", TestActions.Catalog));

        Assert.StartsWith("plan.json: error: the plan file was changed after it was written: its ", error.Diagnostics.Single().ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"commit\": \"0123456789abcdef0123456789abcdef01234567\",", "", "none")]
    [InlineData("\"commit\": \"0123456789abcdef0123456789abcdef01234567\"", "\"commit\": \"HEAD\"", "'HEAD'")]
    public void A_plan_from_git_that_names_no_commit_is_refused_even_resealed(string original, string edited, string got)
    {
        var text = Encoding.UTF8.GetString(PlanFile.Serialize(Sample()));
        Assert.Contains(original, text, StringComparison.Ordinal);
        var resealed = Reseal(text.Replace(original, edited, StringComparison.Ordinal));

        var error = Assert.Throws<FleetException>(() => PlanFile.Parse(Encoding.UTF8.GetBytes(resealed), "plan.json", TestActions.Catalog));

        Assert.Contains($"$.source.commit: a plan from git must name its commit as 40 lowercase hex digits, got {got}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The plan text with its checksum recomputed, as someone who edits a plan file can.</summary>
    private static string Reseal(string text)
    {
        var node = JsonNode.Parse(text)!.AsObject();
        node.Remove("checksum");
        var body = Encoding.UTF8.GetBytes(node.ToJsonString());
        node["checksum"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
        return node.ToJsonString();
    }

    [Fact]
    public void A_plan_with_invalid_UTF8_or_a_lone_surrogate_in_a_string_is_a_located_user_error()
    {
        var text = Encoding.UTF8.GetString(PlanFile.Serialize(Sample()));
        var bytes = Encoding.UTF8.GetBytes(text.Replace("\"acme\"", "\"acme?\"", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xFF;

        var invalid = Assert.Throws<FleetException>(() => PlanFile.Parse(bytes, "plan.json", TestActions.Catalog));
        var surrogate = Assert.Throws<FleetException>(() => PlanFile.Parse(Encoding.UTF8.GetBytes(text.Replace("\"acme\"", "\"\\ud800\"", StringComparison.Ordinal)), "plan.json", TestActions.Catalog));

        Assert.Equal("plan.json:3:17: error: the file is not a plan file: it is not valid UTF-8", invalid.Diagnostics.Single().ToString());
        Assert.Equal("plan.json: error: the file is not a plan file: a string in it is not valid text (a lone surrogate escape)", surrogate.Diagnostics.Single().ToString());
    }

    [Fact]
    public void A_truncated_plan_is_refused_as_truncated()
    {
        var bytes = PlanFile.Serialize(Sample());

        foreach (var length in new[] { 1, 20, bytes.Length / 2, bytes.Length - 3 })
        {
            var error = Assert.Throws<FleetException>(() => PlanFile.Parse(bytes.AsMemory(0, length), "plan.json", TestActions.Catalog));
            Assert.Contains("the plan file is truncated", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("not json at all", "plan.json:1:2: error: the file is not a plan file: it is not valid JSON")]
    [InlineData("formatVersion: 1\nfleet: acme\n", "plan.json:1:2: error: the file is not a plan file: it is not valid JSON")]
    [InlineData("", "plan.json: error: the plan file is empty")]
    [InlineData("[1, 2]", "plan.json: error: the file is not a plan file: its JSON is not an object")]
    [InlineData("{\"fleet\": \"acme\"}", "plan.json: error: the file is not a plan file: it has no formatVersion")]
    [InlineData("{\"formatVersion\": 3, \"whatever\": true}", "plan.json: error: the plan file was written by a newer fleetctl (formatVersion 3); this fleetctl reads formatVersion 2: plan again with this fleetctl")]
    [InlineData("{\"formatVersion\": 1, \"whatever\": true}", "plan.json: error: the plan file was written by an older fleetctl (formatVersion 1); this fleetctl reads formatVersion 2: plan again with this fleetctl")]
    [InlineData("{\"formatVersion\": 1.5}", "plan.json: error: the file is not a plan file: its formatVersion 1.5 is not a version number")]
    public void Files_that_are_not_plans_are_refused_with_a_clear_message(string content, string expected)
    {
        var error = Assert.Throws<FleetException>(() => PlanFile.Parse(Encoding.UTF8.GetBytes(content), "plan.json", TestActions.Catalog));

        Assert.Equal(expected, error.Diagnostics.Single().ToString());
    }

    [Fact]
    public void The_summary_lists_only_the_actions_present_in_ordinal_order()
    {
        var plan = Sample() with
        {
            Changes = [.. Sample().Changes.Reverse().Append(Sample().Changes[0] with { Id = "4", Action = TestActions.Recycle })],
        };

        Assert.Equal(
            [KeyValuePair.Create("install", 1), KeyValuePair.Create("recycle", 1), KeyValuePair.Create("resize", 1), KeyValuePair.Create("zone_push", 1)],
            plan.Summary.ToArray());
        Assert.Empty((Sample() with { Changes = [] }).Summary);
    }

    [Fact]
    public void Declaring_another_action_changes_no_plan_without_it()
    {
        var bytes = PlanFile.Serialize(Sample());
        var more = new ActionCatalog([.. TestActions.All, new ActionDescriptor("adopt", ChangeKind.Create, "machine", "adopt")]);

        var read = PlanFile.Parse(bytes, "plan.json", more);

        Assert.Equal(Sample().Checksum, read.Checksum);
        Assert.Equal(bytes, PlanFile.Serialize(read));
    }

    [Fact]
    public void A_plan_file_of_the_previous_format_is_named_as_such_never_as_changed()
    {
        // What formatVersion 1 wrote: every action of its closed set in the summary, zeros included.
        var root = JsonNode.Parse(PlanFile.Serialize(Sample()))!.AsObject();
        root["formatVersion"] = 1;
        root["summary"] = new JsonObject
        {
            ["install"] = 1, ["recycle"] = 0, ["create_group"] = 0, ["resize"] = 1,
            ["update_template"] = 0, ["delete_group"] = 0, ["zone_create"] = 0, ["zone_push"] = 1,
        };

        var error = Assert.Throws<FleetException>(() => PlanFile.Parse(Encoding.UTF8.GetBytes(root.ToJsonString()), "plan.json", TestActions.Catalog));

        Assert.Equal(
            "plan.json: error: the plan file was written by an older fleetctl (formatVersion 1); this fleetctl reads formatVersion 2: plan again with this fleetctl",
            error.Diagnostics.Single().ToString());
    }

    [Fact]
    public void Missing_mistyped_and_unknown_fields_are_all_reported()
    {
        var root = JsonNode.Parse(PlanFile.Serialize(Sample()))!.AsObject();
        root.Remove("fleet");
        root["extra"] = true;
        root["changes"]![0]!["action"] = "explode";
        root["changes"]![1]!["dependsOn"] = 3;

        var error = Assert.Throws<FleetException>(() => PlanFile.Parse(Encoding.UTF8.GetBytes(root.ToJsonString()), "plan.json", TestActions.Catalog));

        Assert.Equal(
            [
                "plan.json: error: $: unknown field 'extra'",
                "plan.json: error: $.fleet: missing",
                "plan.json: error: $.changes[0].action: unknown action 'explode'",
                "plan.json: error: $.changes[1].dependsOn: expected an array, found a number",
            ],
            error.Diagnostics.Select(d => d.ToString()).ToArray());
    }

    [Fact]
    public void Written_plans_satisfy_the_published_schema_and_edits_outside_it_do_not()
    {
        var schema = Json.Schema.JsonSchema.FromText(File.ReadAllText(Path.Combine(Fleet.Tests.Shared.Examples.RepositoryRoot, "schemas", "plan.schema.json")));
        var written = JsonNode.Parse(PlanFile.Serialize(Sample()))!;
        var bad = written.DeepClone();
        bad["changes"]![0]!["action"] = "Explode!"; // any declared name fits the schema; a name of another shape does not

        var good = schema.Evaluate(JsonDocument.Parse(written.ToJsonString()).RootElement, new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });

        Assert.True(good.IsValid, string.Join("; ", (good.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values)));
        Assert.False(schema.Evaluate(JsonDocument.Parse(bad.ToJsonString()).RootElement).IsValid);
    }

    [Fact]
    public async Task Writing_is_atomic_and_reading_back_from_disk_verifies_the_file()
    {
        var directory = Directory.CreateTempSubdirectory("fleet-plan-");
        try
        {
            var path = Path.Combine(directory.FullName, "plan.json");
            await PlanFile.WriteAsync(Sample(), path, CancellationToken.None);

            var read = await PlanFile.ReadAsync(path, "plan.json", TestActions.Catalog, CancellationToken.None);

            Assert.Equal(Sample().Checksum, read.Checksum);
            Assert.Equal(["plan.json"], directory.GetFiles().Select(f => f.Name).ToArray());
            var missing = await Assert.ThrowsAsync<FleetException>(() => PlanFile.ReadAsync(Path.Combine(directory.FullName, "nope.json"), "nope.json", TestActions.Catalog, CancellationToken.None));
            Assert.StartsWith("nope.json: error: cannot read the plan file:", missing.Diagnostics.Single().ToString(), StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
