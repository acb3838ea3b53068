using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Fleet.Engine.Inventory;
using Fleet.Engine.Planning;
using Fleet.Providers.Dns;
using Fleet.Providers.Physical.Planning;
using Fleet.State;
using Fleet.Tests.Shared;
using Npgsql;

namespace Fleetctl.Tests.Planning;

/// <summary><c>fleetctl plan</c> and <c>fleetctl show</c> end to end, in-process, on a copy of the quickstart fleet.</summary>
public sealed partial class PlanCommandTests : IDisposable
{
    private readonly string fleet = Directory.CreateTempSubdirectory("fleet-plan-").FullName;

    public PlanCommandTests()
    {
        Examples.CopyTo("quickstart", fleet);

        // These tests are about the physical planner; the machines they install never reach DNS, so
        // the DNS provider is left out (its planning is tested with zones below and in the apply tests).
        var yaml = Path.Combine(fleet, "fleet.yaml");
        File.WriteAllText(yaml, DnsSection().Replace(File.ReadAllText(yaml), string.Empty));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(fleet, recursive: true);
    }

    [Fact]
    public async Task After_ingest_the_plan_installs_every_pool_and_the_detailed_exit_code_says_so()
    {
        Assert.Equal(0, (await RunAsync("inventory", "ingest", "recon")).Exit);

        var plan = await RunAsync("plan");
        var detailed = await RunAsync("plan", "--detailed-exitcode");

        Assert.Equal((0, string.Empty), (plan.Exit, plan.Err));
        foreach (var pool in new[] { "web-lon", "fancydb-lon", "cache-lon", "web-sto", "fancydb-sto" })
        {
            Assert.Contains($"  # pool/{pool} (physical)\n  + install ", plan.Out, StringComparison.Ordinal);
        }

        Assert.EndsWith("Plan: 21 to install, 0 to recycle, 0 to resize, 0 zones to push.\n", plan.Out, StringComparison.Ordinal);
        Assert.Equal(2, detailed.Exit);
        Assert.Equal(plan.Out, detailed.Out);
    }

    [Fact]
    public async Task A_fleet_that_matches_plans_no_changes_and_a_broken_machine_gets_its_replacement()
    {
        await RunAsync("inventory", "ingest", "recon");
        await InstallAsync(await PlanJsonAsync());

        var settled = await RunAsync("plan", "--detailed-exitcode");
        Assert.Equal((0, "Fleet quickstart, desired state from the working tree.\n\nNo changes. The fleet matches the desired state.\n"), (settled.Exit, settled.Out));

        var victim = (await PlanJsonAsync("--format", "json")).Changes.Length == 0 ? await InUseMachineAsync("web-lon") : throw new InvalidOperationException();
        Assert.Equal(0, (await RunAsync("inventory", "mark-broken", victim, "--reason", "disk failed")).Exit);
        var replaced = await RunAsync("plan", "--detailed-exitcode");

        Assert.Equal(2, replaced.Exit);
        Assert.Matches(new Regex($"  # pool/web-lon \\(physical\\)\n  \\+ install SM[0-9A-Z]+ as lon-web-[a-z0-9]{{5}} \\(replace\\)\n  - recycle {victim} lon-web-[a-z0-9]{{5}} \\(replace\\)\n"), replaced.Out);
        Assert.EndsWith("Plan: 1 to install, 1 to recycle, 0 to resize, 0 zones to push.\n", replaced.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_plan_is_the_plan_file_byte_for_byte_and_reproducible()
    {
        await RunAsync("inventory", "ingest", "recon");

        var first = await RunAsync("plan", "--format", "json", "--out", "saved.json");
        var second = await RunAsync("plan", "--format", "json");

        Assert.Equal(first.Out, second.Out);
        Assert.Equal(first.Out, await File.ReadAllTextAsync(Path.Combine(fleet, "saved.json")));
        var plan = PlanFile.Parse(Encoding.UTF8.GetBytes(first.Out), "stdout", FleetRuntime.Standard.Catalog.Actions);
        Assert.Equal("quickstart", plan.Fleet);
        Assert.All(plan.Changes, c => Assert.True(plan.Guards.ContainsKey($"physical:machine/{c.Machine}")));
        Assert.Equal(5, plan.Guards.Keys.Count(k => k.StartsWith("physical:pool/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Show_renders_a_saved_plan_in_every_format_and_refuses_broken_files()
    {
        await RunAsync("inventory", "ingest", "recon");
        var planned = await RunAsync("plan", "--out", "plan.json");
        var saved = await File.ReadAllTextAsync(Path.Combine(fleet, "plan.json"));

        Assert.Equal((0, planned.Out), ((await RunAsync("show", "plan.json")).Exit, (await RunAsync("show", "plan.json")).Out));
        Assert.Equal(saved, (await RunAsync("show", "plan.json", "--format", "json")).Out);
        Assert.StartsWith("### fleetctl plan: quickstart", (await RunAsync("show", "plan.json", "--format", "markdown")).Out, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(fleet, "edited.json"), saved.Replace("\"grow\"", "\"shrink\"", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(fleet, "truncated.json"), saved[..(saved.Length / 2)]);
        await File.WriteAllTextAsync(Path.Combine(fleet, "future.json"), saved.Replace("\"formatVersion\": 2", "\"formatVersion\": 9", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(fleet, "yaml.json"), "formatVersion: 1\n");

        Assert.Equal((1, string.Empty), await ShowFailsAsync("edited.json", "edited.json: error: the plan file was changed after it was written: its checksum is sha256:"));
        Assert.Equal((1, string.Empty), await ShowFailsAsync("truncated.json", "truncated.json:"));
        Assert.Equal((1, string.Empty), await ShowFailsAsync("future.json", "future.json: error: the plan file was written by a newer fleetctl (formatVersion 9); this fleetctl reads formatVersion 2: plan again with this fleetctl"));
        Assert.Equal((1, string.Empty), await ShowFailsAsync("yaml.json", "yaml.json:1:2: error: the file is not a plan file: it is not valid JSON"));
        Assert.Equal((1, string.Empty), await ShowFailsAsync("missing.json", "missing.json: error: cannot read the plan file:"));
    }

    [Fact]
    public async Task Shrinking_past_the_safety_limit_is_refused_unless_forced()
    {
        await RunAsync("inventory", "ingest", "recon");
        await InstallAsync(await PlanJsonAsync());
        await ResizeAsync("web-lon", 5, 1);

        var refused = await RunAsync("plan", "--out", "unsafe.json");
        var forced = await RunAsync("plan", "--force");

        Assert.Equal(1, refused.Exit);
        Assert.Equal(string.Empty, refused.Out);
        Assert.False(File.Exists(Path.Combine(fleet, "unsafe.json")));
        Assert.Equal(
            "error: unsafe plan: pool/web-lon: 4 of 5 in-service machines recycled or reimaged; safety.maxRecyclePercent 25% allows at most 1 per apply\n" +
            "error: the plan exceeds the safety limits above; review it and rerun with --force to accept it\n",
            refused.Err);
        Assert.Equal(0, forced.Exit);
        Assert.Contains("  ! forced: pool/web-lon: 4 of 5 in-service machines recycled", forced.Out, StringComparison.Ordinal);
        Assert.EndsWith("Plan: 0 to install, 4 to recycle, 0 to resize, 0 zones to push.\n", forced.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_capacity_shortfall_is_reported_at_once_with_its_location()
    {
        await RunAsync("inventory", "ingest", "recon");
        await ResizeAsync("web-lon", 5, 50);
        await ResizeAsync("fancydb-sto", 4, 40);

        var result = await RunAsync("plan");

        Assert.Equal(1, result.Exit);
        var errors = result.Err.TrimEnd().Split('\n');
        Assert.Equal(2, errors.Length);
        Assert.Matches(@"^pools/lon\.yaml:9:7: error: pool web-lon needs 50 more compute machines in lon; \d+ are available$", errors[0]);
        Assert.Matches(@"^pools/sto\.yaml:\d+:7: error: pool fancydb-sto needs 40 more high-io machines in sto; \d+ are available$", errors[1]);
    }

    [Fact]
    public async Task Zones_follow_the_installs_of_their_sites_and_site_selection()
    {
        File.Copy(Path.Combine(Examples.Path("quickstart"), "fleet.yaml"), Path.Combine(fleet, "fleet.yaml"), overwrite: true);
        await RunAsync("inventory", "ingest", "recon");

        var all = PlanFile.Parse(Encoding.UTF8.GetBytes((await RunAsync("plan", "--format", "json")).Out), "stdout", FleetRuntime.Standard.Catalog.Actions);
        var sto = PlanFile.Parse(Encoding.UTF8.GetBytes((await RunAsync("plan", "--format", "json", "--site", "sto")).Out), "stdout", FleetRuntime.Standard.Catalog.Actions);

        var zones = all.Changes.Where(c => c.Action == DnsActions.ZoneCreate).ToList();
        Assert.Equal(["zone/lon.example.net", "zone/sto.example.net", "zone/1.10.in-addr.arpa", "zone/2.10.in-addr.arpa"], zones.Select(z => z.Address).ToArray());
        var lonInstalls = all.Changes.Where(c => c.Action == PhysicalActions.Install && c.Site == "lon").Select(c => c.Id).ToHashSet();
        Assert.Equal(lonInstalls, zones[0].DependsOn.ToHashSet());
        Assert.Equal(["zone/sto.example.net", "zone/2.10.in-addr.arpa"], sto.Changes.Where(c => c.Provider == "dns").Select(c => c.Address).ToArray());
    }

    [Fact]
    public async Task Selection_flags_narrow_the_plan()
    {
        await RunAsync("inventory", "ingest", "recon");

        var lon = PlanFile.Parse(Encoding.UTF8.GetBytes((await RunAsync("plan", "--format", "json", "--site", "lon", "--exclude", "cache-*")).Out), "stdout", FleetRuntime.Standard.Catalog.Actions);
        var unknown = await RunAsync("plan", "--site", "mars");

        Assert.Equal(["pool/fancydb-lon", "pool/web-lon"], lon.Changes.Select(c => c.Address).Distinct().ToArray());
        Assert.Equal((1, "error: --site: unknown site 'mars' (fleet.yaml declares: lon, sto)\n"), (unknown.Exit, unknown.Err));
    }

    [Fact]
    public async Task An_unreachable_inventory_is_a_clear_error_without_the_password()
    {
        var result = await RunAsync(["plan"], new Dictionary<string, string> { ["FLEET_INVENTORY"] = "postgres://fleet:hunter2@127.0.0.1:1/fleet" });

        Assert.Equal(
            (1, "error: inventory postgres://fleet:***@127.0.0.1:1/fleet: cannot connect to PostgreSQL (connection refused: is the server running?)\n"),
            (result.Exit, result.Err));
    }

    /// <summary>The database is opened while the YAML is validated; invalid YAML must still be all the user hears of.</summary>
    [Fact]
    public async Task Invalid_yaml_is_reported_alone_even_when_the_inventory_is_unreachable()
    {
        File.AppendAllText(Path.Combine(fleet, "roles", "web.yaml"), "imgae: debian-13\n");

        var result = await RunAsync(["plan"], new Dictionary<string, string> { ["FLEET_INVENTORY"] = "postgres://fleet:hunter2@127.0.0.1:1/fleet" });

        Assert.Equal(1, result.Exit);
        var only = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("roles/web.yaml:6:1: error: unknown field 'imgae' ", only, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_yaml_creates_no_inventory_and_leaves_an_existing_one_as_it_was()
    {
        var web = Path.Combine(fleet, "roles", "web.yaml");
        var valid = File.ReadAllText(web);
        File.AppendAllText(web, "imgae: debian-13\n");

        var fresh = await RunAsync("plan", "--format", "json");

        Assert.Equal(1, fresh.Exit);
        Assert.StartsWith("roles/web.yaml:6:1: error: ", fresh.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fleet, ".fleet")));

        File.WriteAllText(web, valid);
        await RunAsync("inventory", "ingest", "recon");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var database = Path.Combine(fleet, ".fleet", "inventory.db");
        var before = File.ReadAllBytes(database);
        File.AppendAllText(web, "imgae: debian-13\n");

        var existing = await RunAsync("plan", "--format", "json");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        Assert.Equal((1, string.Empty, fresh.Err), existing);
        Assert.Equal(before, File.ReadAllBytes(database));
        Assert.Equal(["inventory.db"], Directory.GetFiles(Path.GetDirectoryName(database)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PostgreSQL_and_SQLite_inventories_give_the_same_plan_file()
    {
        var server = Environment.GetEnvironmentVariable("FLEET_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("FLEET_TEST_POSTGRES is not set: run ./test.sh, which starts a throwaway PostgreSQL server for the tests");
        var name = $"fleet_plan_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {name}", connection).ExecuteNonQueryAsync();
        }

        try
        {
            var postgres = new Dictionary<string, string> { ["FLEET_INVENTORY"] = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString };
            Assert.Equal(0, (await RunAsync(["inventory", "ingest", "recon"], postgres)).Exit);
            await RunAsync("inventory", "ingest", "recon");

            var onPostgres = await RunAsync(["plan", "--format", "json", "--detailed-exitcode"], postgres);
            var onSqlite = await RunAsync("plan", "--format", "json", "--detailed-exitcode");

            Assert.Equal((2, string.Empty), (onPostgres.Exit, onPostgres.Err));
            Assert.Equal(onSqlite.Out, onPostgres.Out);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection).ExecuteNonQueryAsync();
        }
    }

    /// <summary>Stands in for apply: moves every planned install through installing to in_use, as the install job does.</summary>
    private async Task InstallAsync(Plan plan)
    {
        await using var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", fleet, CancellationToken.None);
        var audit = new AuditContext("test");
        foreach (var change in plan.Changes.Where(c => c.Action == PhysicalActions.Install))
        {
            var machine = (await database.Inventory.GetMachineAsync(change.Machine!, CancellationToken.None))!;
            var installing = await database.Inventory.TransitionAsync(
                new MachineTransition(machine.HardwareName, machine.Version, MachineState.Installing, change.Hostname, change.Parameters["role"], change.Parameters["pool"], change.Parameters["image"]),
                audit,
                CancellationToken.None);
            await database.Inventory.TransitionAsync(MachineTransition.From(installing, MachineState.InUse), audit, CancellationToken.None);
        }
    }

    private async Task<string> InUseMachineAsync(string pool)
    {
        await using var database = await StateDatabase.OpenAsync("sqlite:.fleet/inventory.db", fleet, CancellationToken.None);
        var machines = await database.Inventory.ListMachinesAsync(new MachineFilter(Pool: pool, State: MachineState.InUse), CancellationToken.None);
        return machines[0].HardwareName;
    }

    private async Task<Plan> PlanJsonAsync(params string[] extra)
    {
        var result = await RunAsync(["plan", "--format", "json", .. extra.Where(a => a != "--format" && a != "json")]);
        Assert.Equal(string.Empty, result.Err);
        return PlanFile.Parse(Encoding.UTF8.GetBytes(result.Out), "stdout", FleetRuntime.Standard.Catalog.Actions);
    }

    private async Task ResizeAsync(string pool, int from, int to)
    {
        var file = Path.Combine(fleet, "pools", pool.EndsWith("-lon", StringComparison.Ordinal) ? "lon.yaml" : "sto.yaml");
        var text = await File.ReadAllTextAsync(file);
        var pattern = new Regex($"(name: {Regex.Escape(pool)}\n(?:.*\n)*?size: ){from}\n");
        Assert.Matches(pattern, text);
        await File.WriteAllTextAsync(file, pattern.Replace(text, $"${{1}}{to}\n", 1));
    }

    private async Task<(int, string)> ShowFailsAsync(string file, string expectedStart)
    {
        var result = await RunAsync("show", file);
        Assert.StartsWith(expectedStart, result.Err, StringComparison.Ordinal);
        return (result.Exit, result.Out);
    }

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(args, null);

    private async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, Dictionary<string, string>? environment)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var host = new CliHost(output, error, new StringReader(string.Empty), (environment ?? []).ToImmutableDictionary(), fleet, false, TimeProvider.System);
        var exit = await Cli.RunAsync(args, host, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [GeneratedRegex(@"(?m)^dns:\n(?:  .*\n)+")]
    private static partial Regex DnsSection();
}
