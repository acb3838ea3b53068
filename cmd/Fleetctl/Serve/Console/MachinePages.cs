using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Microsoft.AspNetCore.Http;

namespace Fleetctl.Serve.Console;

/// <summary>
/// The machines table (searched, filtered and paged in the database: one page and one count per
/// request, whatever the fleet's size) and a machine's page.
/// </summary>
internal static class MachinePages
{
    /// <summary>Longest search or filter value accepted; longer is a 400, not a query.</summary>
    public const int MaxValueLength = 200;

    public const int PageSize = 50;

    public static async Task<IResult> ListAsync(ConsoleContext console, Caller caller, HttpRequest request, CancellationToken cancellationToken)
    {
        string? Value(string name) => request.Query[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
        var fields = new[] { "q", "site", "state", "pool", "role", "hardware", "after" };
        if (fields.Select(Value).FirstOrDefault(v => v is { Length: > MaxValueLength }) is not null)
        {
            return ConsoleLayout.Error(StatusCodes.Status400BadRequest, $"a search or filter value is longer than {MaxValueLength} characters", console.Desired.Fleet.Name, caller);
        }

        MachineState? state = null;
        if (Value("state") is { } stateText)
        {
            if (!MachineStates.TryParse(stateText, out var parsed))
            {
                return ConsoleLayout.Error(StatusCodes.Status400BadRequest, $"state: unknown state '{stateText}'; expected {MachineStates.Spellings}", console.Desired.Fleet.Name, caller);
            }

            state = parsed;
        }

        var query = new MachinePageQuery(new MachineFilter(Value("site"), state, Value("pool"), Value("role"), Value("hardware")), Value("q"), Value("after"), PageSize);
        var page = await console.Database.Inventory.PageMachinesAsync(query, cancellationToken);
        var desired = console.Desired;
        var main = new Html();
        main.Raw("<form method=\"get\" action=\"/machines\" class=\"filters\" role=\"search\">")
            .Raw("<input type=\"search\" name=\"q\" placeholder=\"serial or hostname\" maxlength=\"200\" value=\"").Text(query.Search).Raw("\" aria-label=\"search\">");
        Select(main, "site", Value("site"), desired.Fleet.Sites.Select(s => s.Name));
        Select(main, "state", Value("state"), ["available", "installing", "in_use", "recycling", "broken"]);
        Select(main, "pool", Value("pool"), desired.Pools.Where(p => p.Site is not null).Select(p => p.Name));
        Select(main, "role", Value("role"), desired.Roles.Select(r => r.Name));
        Select(main, "hardware", Value("hardware"), desired.Fleet.Hardware.Select(h => h.Name));
        main.Raw("<button type=\"submit\">Filter</button></form>");
        main.Raw("<p class=\"count\"><span id=\"machine-count\">").Number(page.Total).Raw("</span> machines match</p>");
        Table(main, page.Machines, null);
        if (page.Next is not null)
        {
            main.Raw("<p class=\"pager\">").Link(Html.Url("/machines",
                ("q", query.Search), ("site", query.Filter.Site), ("state", Value("state")), ("pool", query.Filter.Pool), ("role", query.Filter.Role),
                ("hardware", query.Filter.HardwareType), ("after", page.Next)), "Next page →").Raw("</p>");
        }

        return ConsoleLayout.Page("Machines", desired.Fleet.Name, caller, main);
    }

    /// <summary>Rows of machines; with a <paramref name="domain"/> the hostname is shown as the DNS name it gets.</summary>
    public static void Table(Html main, ImmutableArray<Machine> machines, string? domain)
    {
        main.Raw("<table class=\"machines\">").Header("serial", "hostname", "state", "site", "pool", "role", "hardware", "address").Raw("<tbody>");
        foreach (var machine in machines)
        {
            main.Raw("<tr><td>").Link("/machines/" + Html.Segment(machine.HardwareName), machine.HardwareName).Raw("</td>")
                .Cell(machine.Hostname is { } h && domain is not null ? $"{h}.{domain}" : machine.Hostname ?? "—")
                .Raw("<td><span class=\"badge ").Text(machine.State.ToWire()).Raw("\">").Text(machine.State.ToWire()).Raw("</span></td>")
                .Cell(machine.Site).Cell(machine.Pool ?? "—").Cell(machine.Role ?? "—").Cell(machine.HardwareType).Cell(machine.PrimaryIp ?? "—").Raw("</tr>");
        }

        main.Raw("</tbody></table>");
    }

    public static async Task<IResult> MachineAsync(ConsoleContext console, Caller caller, string serial, CancellationToken cancellationToken)
    {
        var machine = serial.Length > MaxValueLength ? null : await console.Database.Inventory.GetMachineAsync(serial, cancellationToken);
        if (machine is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"machine {serial} is not in the inventory", console.Desired.Fleet.Name, caller);
        }

        var jobs = await console.Database.Jobs.ListAsync(new JobQuery(Target: machine.HardwareName, Limit: 20), cancellationToken);
        var audit = await console.Database.Inventory.ListAuditAsync(machine.HardwareName, cancellationToken);
        var main = new Html();
        main.Raw("<dl class=\"facts\">")
            .Raw("<dt>state</dt><dd><span class=\"badge ").Text(machine.State.ToWire()).Raw("\" id=\"machine-state\">").Text(machine.State.ToWire()).Raw("</span></dd>")
            .Raw("<dt>hostname</dt><dd>").Text(machine.Hostname ?? "—").Raw("</dd>")
            .Raw("<dt>site / rack</dt><dd>").Text($"{machine.Site} / {machine.Rack ?? "—"}").Raw("</dd>")
            .Raw("<dt>hardware</dt><dd>").Text(machine.HardwareType).Raw("</dd>")
            .Raw("<dt>pool / role / image</dt><dd>").Text($"{machine.Pool ?? "—"} / {machine.Role ?? "—"} / {machine.Image ?? "—"}").Raw("</dd>")
            .Raw("<dt>BMC</dt><dd>").Text(machine.Bmc is { } bmc ? (bmc.Port is { } port ? $"{bmc.Address}:{port}" : bmc.Address) : "—").Raw(" <small>(credentials are never shown)</small></dd>")
            .Raw("<dt>version</dt><dd>").Number(machine.Version).Raw("</dd>")
            .Raw("<dt>updated</dt><dd>").Text(Html.Time(machine.UpdatedAt)).Raw("</dd>")
            .Raw("</dl>");
        main.Raw("<h2>Interfaces</h2><table>").Header("name", "MAC", "IP").Raw("<tbody>");
        foreach (var nic in machine.Interfaces)
        {
            main.Raw("<tr>").Cell(nic.Name).Cell(nic.Mac).Cell(nic.Ip ?? "—").Raw("</tr>");
        }

        main.Raw("</tbody></table>");
        var current = jobs.FirstOrDefault(j => !j.Status.IsTerminal());
        main.Raw("<h2>Current job</h2>").Raw(current is null ? "<p>none</p>" : $"<p><a href=\"/jobs/{current.Id}\">job {current.Id}</a> ").Text(current is null ? "" : $"{current.Action}, {current.Status.ToWire()}, attempt {current.Attempts}").Raw(current is null ? "" : "</p>");
        JobPages.Table(main, jobs);
        ConsoleActions.MachineForms(main, console, caller, machine);
        main.Raw("<h2>Audit history</h2><table class=\"audit\">").Header("when", "who", "what", "from", "to", "why", "job", "commit").Raw("<tbody>");
        foreach (var entry in audit.Reverse())
        {
            main.Raw("<tr>").Cell(Html.Time(entry.At)).Cell(entry.Actor).Cell(entry.Action.ToWire()).Cell(entry.From?.ToWire() ?? "—").Cell(entry.To?.ToWire() ?? "—")
                .Cell(entry.Reason ?? "—").Cell(entry.JobId ?? "—").Cell(entry.Commit is { Length: > 12 } c ? c[..12] : entry.Commit ?? "—").Raw("</tr>");
        }

        main.Raw("</tbody></table>");
        return ConsoleLayout.Page($"Machine {machine.HardwareName}", console.Desired.Fleet.Name, caller, main, live: true);
    }

    private static void Select(Html main, string name, string? selected, IEnumerable<string> values)
    {
        main.Raw("<select name=\"").Text(name).Raw("\" aria-label=\"").Text(name).Raw("\"><option value=\"\">any ").Text(name).Raw("</option>");
        foreach (var value in values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            main.Raw(value == selected ? "<option selected value=\"" : "<option value=\"").Text(value).Raw("\">").Text(value).Raw("</option>");
        }

        main.Raw("</select>");
    }
}
