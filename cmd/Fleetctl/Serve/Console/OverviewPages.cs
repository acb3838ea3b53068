using Fleet.Engine.GitOps;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.State.Zones;
using Fleetctl.Overview;
using Fleetctl.Serve.Metrics;
using Microsoft.AspNetCore.Http;

namespace Fleetctl.Serve.Console;

/// <summary>The fleet overview, a pool's page, the last drift and the zones.</summary>
internal static class OverviewPages
{
    public static async Task<IResult> OverviewAsync(ConsoleContext console, Caller caller, CancellationToken cancellationToken)
    {
        var overview = await FleetOverview.ReadAsync(console.Desired, console.Database, cancellationToken);
        var drift = await console.Drift.ReadAsync(cancellationToken);
        var main = new Html();
        main.Raw("<section class=\"cards\">")
            .Raw("<div class=\"card\"><span class=\"label\">machines</span><span class=\"value\" id=\"machines-total\">").Number(overview.Machines.Sum(m => m.Count)).Raw("</span></div>")
            .Raw("<div class=\"card\"><span class=\"label\">running jobs</span><span class=\"value\" id=\"jobs-running\">").Number(overview.JobsIn(JobStatus.Running)).Raw("</span></div>")
            .Raw("<div class=\"card\"><span class=\"label\">queued jobs</span><span class=\"value\" id=\"jobs-queued\">").Number(overview.JobsIn(JobStatus.Queued)).Raw("</span></div>")
            .Raw("<div class=\"card\"><span class=\"label\">failed jobs</span><span class=\"value\" id=\"jobs-failed\">").Number(overview.JobsIn(JobStatus.Failed)).Raw("</span></div>")
            .Raw("<div class=\"card\"><span class=\"label\">running applies</span><span class=\"value\">").Number(overview.RunningApplies.Length).Raw("</span></div>")
            .Raw("</section>");

        foreach (var site in overview.Pools.GroupBy(p => p.Site ?? ""))
        {
            main.Raw("<h2>").Text(site.Key.Length == 0 ? "(no site)" : site.Key).Raw("</h2><table class=\"pools\">")
                .Header("pool", "backend", "role", "owner", "desired", "in_use", "installing", "broken", "drift");
            main.Raw("<tbody>");
            foreach (var pool in site)
            {
                main.Raw("<tr data-pool=\"").Text(pool.Name).Raw("\"><td>").Link("/pools/" + Html.Segment(pool.Name), pool.Name).Raw("</td>")
                    .Cell(pool.Backend).Cell(pool.Role).Cell(pool.Owner ?? "—").Raw("<td class=\"num desired\">").Number(pool.Desired).Raw("</td>");
                if (pool.Counted)
                {
                    main.Raw("<td class=\"num in_use\">").Number(pool.InUse).Raw("</td><td class=\"num installing\">").Number(pool.Installing)
                        .Raw("</td><td class=\"num broken\">").Number(pool.Broken).Raw("</td>");
                }
                else
                {
                    main.Raw("<td class=\"num\" colspan=\"3\">in its instance group</td>");
                }

                main.Raw("<td>").Raw(DriftBadge(drift, "pool/" + pool.Name)).Raw("</td></tr>");
            }

            main.Raw("</tbody></table>");
        }

        main.Raw("<h2>Capacity</h2><table class=\"capacity\">").Header("site", "hardware", "available", "in_use", "installing", "recycling", "broken").Raw("<tbody>");
        foreach (var row in overview.Capacity)
        {
            main.Raw("<tr>").Cell(row.Site).Cell(row.Hardware).Cell(row.Available).Cell(row.InUse).Cell(row.Installing).Cell(row.Recycling).Cell(row.Broken).Raw("</tr>");
        }

        main.Raw("</tbody></table>");
        if (!overview.RunningApplies.IsEmpty)
        {
            main.Raw("<h2>Running applies</h2><ul>");
            foreach (var apply in overview.RunningApplies)
            {
                main.Raw("<li>").Link("/applies/" + Html.Segment(apply.Id), apply.Id).Raw(" by ").Text(apply.User).Raw(" since ").Text(Html.Time(apply.StartedAt)).Raw("</li>");
            }

            main.Raw("</ul>");
        }

        return ConsoleLayout.Page("Overview", console.Desired.Fleet.Name, caller, main, live: true);
    }

    public static async Task<IResult> PoolAsync(ConsoleContext console, Caller caller, string name, CancellationToken cancellationToken)
    {
        var spec = console.Desired.FindPool(name);
        if (spec is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"pool {name} is not declared in the fleet's YAML", console.Desired.Fleet.Name, caller);
        }

        var overview = await FleetOverview.ReadAsync(console.Desired, console.Database, cancellationToken);
        var pool = overview.Pools.First(p => p.Name == name);
        var record = await console.Database.Inventory.GetPoolAsync(name, cancellationToken);
        var page = await console.Database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(Pool: name), Limit: 200), cancellationToken);
        var site = spec.Site is { } s ? console.Desired.FindSite(s) : null;
        var main = new Html();
        main.Raw("<dl class=\"facts\">")
            .Raw("<dt>backend</dt><dd>").Text(pool.Backend).Raw("</dd>")
            .Raw("<dt>site</dt><dd>").Text(pool.Site ?? "—").Raw("</dd>")
            .Raw("<dt>hardware</dt><dd>").Text(pool.Hardware ?? "—").Raw("</dd>")
            .Raw("<dt>role</dt><dd>").Text(pool.Role).Raw("</dd>")
            .Raw("<dt>owner</dt><dd>").Text(pool.Owner ?? "—").Raw("</dd>")
            .Raw("<dt>desired</dt><dd class=\"desired\">").Number(pool.Desired).Raw("</dd>")
            .Raw("<dt>in_use / installing / broken</dt><dd>").Text(pool.Counted ? $"{pool.InUse} / {pool.Installing} / {pool.Broken}" : "in its instance group").Raw("</dd>")
            .Raw("<dt>protected</dt><dd>").Text(pool.Protected ? "yes" : "no").Raw("</dd>")
            .Raw("<dt>last applied</dt><dd>").Text(record is null ? "never" : $"{Html.Time(record.UpdatedAt)} (role {record.Role}, image {record.Image})").Raw("</dd>")
            .Raw("<dt>to change it, edit</dt><dd><code>").Text(pool.Source).Raw("</code></dd>")
            .Raw("<dt>DNS</dt><dd>").Text(site is null ? "—" : $"A records in {site.Domain}").Raw("</dd>")
            .Raw("</dl>");
        main.Raw("<h2>Machines</h2>");
        MachinePages.Table(main, page.Machines, site?.Domain);
        if (page.Next is not null)
        {
            main.Raw("<p>").Link(Html.Url("/machines", ("pool", name)), $"all {page.Total} machines").Raw("</p>");
        }

        return ConsoleLayout.Page($"Pool {name}", console.Desired.Fleet.Name, caller, main, live: true);
    }

    public static async Task<IResult> DriftAsync(ConsoleContext console, Caller caller, CancellationToken cancellationToken)
    {
        var report = await console.Drift.ReadAsync(cancellationToken);
        var main = new Html();
        if (report is null)
        {
            main.Raw("<p>No reconcile report yet: <code>fleetctl reconcile</code> writes one to <code>").Text(".fleet/reconcile/report.json").Raw("</code>.</p>");
        }
        else
        {
            main.Raw("<p>Last pass ").Text(Html.Time(report.At)).Raw(" at commit <code>").Text(report.Commit ?? "—").Raw("</code>: ")
                .Raw("<span class=\"badge ").Text(DriftReportFile.StatusName(report.Status)).Raw("\">").Text(DriftReportFile.StatusName(report.Status)).Raw("</span>")
                .Text(report.Reason is { } reason ? $" ({reason})" : "").Raw("</p>");
            main.Raw("<table>").Header("address", "cause", "detail").Raw("<tbody>");
            foreach (var item in report.Items)
            {
                main.Raw("<tr>").Cell(item.Address).Cell(item.Cause).Cell(item.Detail).Raw("</tr>");
            }

            main.Raw("</tbody></table>");
        }

        return ConsoleLayout.Page("Drift", console.Desired.Fleet.Name, caller, main, live: true);
    }

    public static async Task<IResult> ZonesAsync(ConsoleContext console, Caller caller, CancellationToken cancellationToken)
    {
        var serials = new ZoneSerialStore(console.Database);
        var main = new Html().Raw("<table>").Header("zone", "serial", "last pushed", "static records").Raw("<tbody>");
        var zones = console.Desired.Fleet.Sites.Select(s => s.Domain).Concat(console.Desired.Zones.Select(z => z.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var zone in zones)
        {
            var record = await serials.GetAsync(zone, cancellationToken);
            var spec = console.Desired.Zones.FirstOrDefault(z => z.Name == zone);
            main.Raw("<tr>").Cell(zone).Cell(record?.Serial.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not pushed").Cell(Html.Time(record?.PushedAt)).Raw("<td>");
            foreach (var r in spec?.Records ?? [])
            {
                main.Raw("<code>").Text($"{r.Name} {r.Type} {r.Value}").Raw("</code><br>");
            }

            main.Raw("</td></tr>");
        }

        main.Raw("</tbody></table><p>Address and reverse records are generated from the inventory: <code>fleetctl zones</code> renders them.</p>");
        return ConsoleLayout.Page("Zones", console.Desired.Fleet.Name, caller, main);
    }

    private static string DriftBadge(DriftReport? report, string address)
    {
        if (report is null)
        {
            return "<span class=\"badge unknown\">no report</span>";
        }

        var items = report.Items.Count(i => i.Address == address);
        return items == 0
            ? "<span class=\"badge in_sync\">in sync</span>"
            : $"<span class=\"badge drift\">drift ({items})</span>";
    }
}
