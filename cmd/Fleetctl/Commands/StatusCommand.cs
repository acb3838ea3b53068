using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Jobs;
using Fleetctl.Apply;
using Fleetctl.Overview;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl status [--format text|json]</c>: the console's overview on the command line. Every
/// pool's desired size (from the YAML) against its machines (from the inventory), capacity per site
/// and hardware type, and the applies and jobs running now.
/// </summary>
public static class StatusCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(GlobalOptions global, CliHost host)
    {
        var format = InventoryCommand.FormatOption("text", "text", "json");
        var command = new Command("status", "Show pools desired against actual, capacity per site and hardware type, and running applies and jobs.") { format };
        command.SetAction(async (parse, ct) =>
        {
            var (desired, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var overview = await FleetOverview.ReadAsync(desired, database, ct);
                if (parse.GetValue(format) == "json")
                {
                    await host.Out.WriteLineAsync(ToJson(overview).ToJsonString(Indented));
                }
                else
                {
                    await WriteTextAsync(host.Out, overview, host.Clock.GetUtcNow());
                }

                return ExitCodes.Success;
            }
        });
        return command;
    }

    internal static async Task WriteTextAsync(TextWriter output, FleetOverview overview, DateTimeOffset now)
    {
        await output.WriteLineAsync($"Fleet {overview.Fleet}");
        await output.WriteLineAsync();
        await output.WriteLineAsync("Pools");
        await Table.WriteAsync(output, ["POOL", "BACKEND", "SITE", "ROLE", "OWNER", "DESIRED", "IN_USE", "INSTALLING", "BROKEN", "STATUS"], [.. overview.Pools.Select(p => new[]
        {
            p.Name, p.Backend, p.Site ?? "-", p.Role, p.Owner ?? "-", Number(p.Desired),
            p.Counted ? Number(p.InUse) : "-", p.Counted ? Number(p.Installing) : "-", p.Counted ? Number(p.Broken) : "-", PoolState(p),
        })]);
        await output.WriteLineAsync();
        await output.WriteLineAsync("Capacity");
        await Table.WriteAsync(output, ["SITE", "HARDWARE", "AVAILABLE", "IN_USE", "INSTALLING", "RECYCLING", "BROKEN"], [.. overview.Capacity.Select(c => new[]
        {
            c.Site, c.Hardware, Number(c.Available), Number(c.InUse), Number(c.Installing), Number(c.Recycling), Number(c.Broken),
        })]);
        await output.WriteLineAsync();
        await output.WriteLineAsync(overview.RunningApplies.IsEmpty
            ? "Applies: none running"
            : "Applies running: " + string.Join(", ", overview.RunningApplies.Select(a => $"{a.Id} by {a.User} since {a.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z")));
        await output.WriteLineAsync($"Jobs: {overview.JobsIn(JobStatus.Running)} running, {overview.JobsIn(JobStatus.Queued)} queued, {overview.JobsIn(JobStatus.Failed)} failed");
        if (!overview.ActiveJobs.IsEmpty)
        {
            await JobRenderer.WriteTableAsync(output, overview.ActiveJobs, now);
        }
    }

    /// <summary>How a physical pool stands against its size; a GCP pool's instances are counted by its group, not here.</summary>
    private static string PoolState(PoolStatus pool) =>
        !pool.Counted ? "see its instance group"
        : pool.Broken > 0 ? "broken machines"
        : pool.Installing > 0 ? "installing"
        : pool.InUse < pool.Desired ? "below size"
        : pool.InUse > pool.Desired ? "above size"
        : "ok";

    internal static JsonObject ToJson(FleetOverview overview) => new()
    {
        ["fleet"] = overview.Fleet,
        ["pools"] = new JsonArray([.. overview.Pools.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name,
            ["backend"] = p.Backend,
            ["site"] = p.Site,
            ["hardware"] = p.Hardware,
            ["role"] = p.Role,
            ["owner"] = p.Owner,
            ["desired"] = p.Desired,
            ["inUse"] = p.Counted ? p.InUse : null,
            ["installing"] = p.Counted ? p.Installing : null,
            ["recycling"] = p.Counted ? p.Recycling : null,
            ["broken"] = p.Counted ? p.Broken : null,
            ["status"] = PoolState(p),
            ["protected"] = p.Protected,
            ["source"] = p.Source,
        })]),
        ["capacity"] = new JsonArray([.. overview.Capacity.Select(c => (JsonNode)new JsonObject
        {
            ["site"] = c.Site,
            ["hardware"] = c.Hardware,
            ["available"] = c.Available,
            ["inUse"] = c.InUse,
            ["installing"] = c.Installing,
            ["recycling"] = c.Recycling,
            ["broken"] = c.Broken,
        })]),
        ["applies"] = new JsonArray([.. overview.RunningApplies.Select(a => (JsonNode)new JsonObject
        {
            ["id"] = a.Id,
            ["user"] = a.User,
            ["host"] = a.Host,
            ["commit"] = a.Commit,
            ["startedAt"] = a.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        })]),
        ["jobs"] = new JsonObject
        {
            ["running"] = overview.JobsIn(JobStatus.Running),
            ["queued"] = overview.JobsIn(JobStatus.Queued),
            ["failed"] = overview.JobsIn(JobStatus.Failed),
            ["active"] = new JsonArray([.. overview.ActiveJobs.Select(j => (JsonNode)JobRenderer.ToJson(j))]),
        },
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
