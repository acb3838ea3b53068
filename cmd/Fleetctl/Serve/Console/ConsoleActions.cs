using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Providers.Physical.Power;
using Fleetctl.Logging;
using Microsoft.AspNetCore.Http;

namespace Fleetctl.Serve.Console;

/// <summary>
/// The console's operational actions: retry a failed job, mark a machine broken or repair it, power
/// cycle it through its BMC. Each is a form POST that needs the admin token, the caller's CSRF token
/// and a ticked confirmation; machine changes go through the inventory's lifecycle and audit log with
/// the console actor, and every action is logged with that actor. None changes desired state.
/// </summary>
internal static class ConsoleActions
{
    public const string CsrfField = "csrf";
    public const string ConfirmField = "confirm";

    public static void JobForms(Html main, ConsoleContext console, Caller caller, Job job)
    {
        if (job.Status == JobStatus.Failed)
        {
            main.Raw("<h2>Actions</h2>");
            Form(main, console, caller, $"/jobs/{job.Id}/retry", "Retry job", "retry", "Queue this failed job again with a fresh attempt budget");
        }
    }

    public static void MachineForms(Html main, ConsoleContext console, Caller caller, Machine machine)
    {
        main.Raw("<h2>Actions</h2>");
        var path = "/machines/" + Html.Segment(machine.HardwareName);
        if (MachineStates.IsAllowed(machine.State, MachineState.Broken))
        {
            Form(main, console, caller, path + "/broken", "Mark broken", "broken", "Take this machine out of service (the next apply replaces it)");
        }

        if (machine.State == MachineState.Broken)
        {
            Form(main, console, caller, path + "/repair", "Repair", "repair", "Mark this machine repaired: it becomes available");
        }

        if (machine.State is MachineState.Available or MachineState.Broken && machine.Bmc is not null)
        {
            Form(main, console, caller, path + "/power-cycle", "Power cycle", "power-cycle", "Power cycle this machine through its BMC");
        }
    }

    /// <summary>
    /// A form whose button is enabled only for an admin; the CSRF token is the caller's, so a viewer or
    /// an anonymous reader sees the action but cannot send it from here.
    /// </summary>
    private static void Form(Html main, ConsoleContext console, Caller caller, string action, string label, string name, string confirm)
    {
        main.Raw("<form method=\"post\" class=\"action\" data-action=\"").Text(name).Raw("\" action=\"").Text(action).Raw("\">");
        if (console.Access.CsrfToken(caller) is { } csrf)
        {
            main.Raw("<input type=\"hidden\" name=\"csrf\" value=\"").Text(csrf).Raw("\">");
        }

        main.Raw("<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> ").Text(confirm).Raw("</label> ")
            .Raw("<input type=\"text\" name=\"reason\" maxlength=\"200\" placeholder=\"reason (for the audit log)\"> ")
            .Raw(caller.Level == AccessLevel.Admin ? "<button type=\"submit\">" : "<button type=\"submit\" title=\"needs the admin token\">").Text(label).Raw("</button>");
        if (caller.Level != AccessLevel.Admin)
        {
            main.Raw(" <small>needs the admin token: <a href=\"/login\">log in</a></small>");
        }

        main.Raw("</form>");
    }

    /// <summary>
    /// Checks an action's request: admin, CSRF token, confirmation. Returns the refusal to send, or
    /// null and the reason the caller gave.
    /// </summary>
    public static async Task<(IResult? Refusal, string? Reason)> AuthorizeAsync(ConsoleContext console, Caller caller, HttpRequest request, CancellationToken cancellationToken)
    {
        var fleet = console.Desired.Fleet.Name;
        if (!console.Access.HasAdminToken)
        {
            return (ConsoleLayout.Error(StatusCodes.Status403Forbidden, "actions are disabled: serve was started without --admin-token", fleet, caller), null);
        }

        if (caller.Level != AccessLevel.Admin)
        {
            return (ConsoleLayout.Error(caller.Level == AccessLevel.None ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden,
                "this action needs the admin token", fleet, caller), null);
        }

        if (!request.HasFormContentType)
        {
            return (ConsoleLayout.Error(StatusCodes.Status400BadRequest, "an action is a form POST (application/x-www-form-urlencoded)", fleet, caller), null);
        }

        var form = await request.ReadFormAsync(cancellationToken);
        if (!console.Access.IsValidCsrf(caller, form[CsrfField].ToString()))
        {
            return (ConsoleLayout.Error(StatusCodes.Status403Forbidden, "missing or wrong CSRF token: send the action from its page", fleet, caller), null);
        }

        if (form[ConfirmField].ToString() != "yes")
        {
            return (ConsoleLayout.Error(StatusCodes.Status400BadRequest, "the action was not confirmed (confirm=yes)", fleet, caller), null);
        }

        var reason = form["reason"].ToString().Trim();
        return (null, reason.Length == 0 ? null : reason[..Math.Min(reason.Length, 200)]);
    }

    public static async Task<IResult> RetryAsync(ConsoleContext console, Caller caller, string id, HttpRequest request, CancellationToken cancellationToken)
    {
        var (refusal, reason) = await AuthorizeAsync(console, caller, request, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var job = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? await console.Database.Jobs.GetAsync(number, cancellationToken)
            : null;
        if (job is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"job {id[..Math.Min(id.Length, 40)]} is not in the job broker", console.Desired.Fleet.Name, caller);
        }

        var retried = await console.Database.Jobs.RetryAsync(job.Id, console.Clock.GetUtcNow(), cancellationToken);
        if (retried is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status409Conflict, $"job {job.Id} is {job.Status.ToWire()}, not failed: only a failed job can be retried", console.Desired.Fleet.Name, caller);
        }

        console.Log.Info($"job {job.Id} {job.Action} {job.Target}: queued again by {caller.Actor}", new LogIds(job.ApplyId, job.Id, job.Action is "install" or "recycle" ? job.Target : null),
            new Dictionary<string, string?> { ["actor"] = caller.Actor, ["action"] = "retry", ["reason"] = reason });
        return Results.Redirect($"/jobs/{job.Id}", permanent: false, preserveMethod: false);
    }

    public static async Task<IResult> TransitionAsync(ConsoleContext console, Caller caller, string serial, MachineState to, HttpRequest request, CancellationToken cancellationToken)
    {
        var (refusal, reason) = await AuthorizeAsync(console, caller, request, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var machine = await console.Database.Inventory.GetMachineAsync(serial, cancellationToken);
        if (machine is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"machine {serial} is not in the inventory", console.Desired.Fleet.Name, caller);
        }

        var verb = MachineTransition.Describe(machine.State, to);
        try
        {
            await console.Database.Inventory.TransitionAsync(MachineTransition.From(machine, to), new AuditContext(caller.Actor, reason ?? $"{verb} from the console"), cancellationToken);
        }
        catch (Exception e) when (e is FleetException or ConcurrencyConflictException)
        {
            return ConsoleLayout.Error(StatusCodes.Status409Conflict, e.Message, console.Desired.Fleet.Name, caller);
        }

        console.Log.Info($"machine {machine.HardwareName}: {verb} by {caller.Actor}", new LogIds(Machine: machine.HardwareName, Pool: machine.Pool),
            new Dictionary<string, string?> { ["actor"] = caller.Actor, ["action"] = verb, ["reason"] = reason });
        return Results.Redirect("/machines/" + Html.Segment(machine.HardwareName));
    }

    public static async Task<IResult> PowerCycleAsync(ConsoleContext console, Caller caller, string serial, HttpRequest request, CancellationToken cancellationToken)
    {
        var (refusal, reason) = await AuthorizeAsync(console, caller, request, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var fleet = console.Desired.Fleet.Name;
        var machine = await console.Database.Inventory.GetMachineAsync(serial, cancellationToken);
        if (machine is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"machine {serial} is not in the inventory", fleet, caller);
        }

        if (machine.State is not (MachineState.Available or MachineState.Broken))
        {
            return ConsoleLayout.Error(StatusCodes.Status409Conflict, $"machine {serial} is {machine.State.ToWire()}: a power cycle would interrupt it (use fleetctl power cycle --force)", fleet, caller);
        }

        try
        {
            var site = console.Desired.FindSite(machine.Site) ?? throw new FleetException($"site {machine.Site} is not declared in fleet.yaml");
            var driver = PowerDrivers.Control(site, console.FleetDirectory, console.Environment, Fleet.Providers.Physical.Power.Ipmi.IpmiOptions.Default,
                Fleet.Providers.Physical.Power.Redfish.RedfishOptions.Default, console.Clock);
            try
            {
                await driver.PowerCycleAsync(machine, cancellationToken);
            }
            finally
            {
                (driver as IDisposable)?.Dispose();
            }
        }
        catch (FleetException e)
        {
            return ConsoleLayout.Error(StatusCodes.Status502BadGateway, string.Join("; ", e.Diagnostics.Select(d => d.Message)), fleet, caller);
        }

        console.Log.Info($"machine {machine.HardwareName}: power cycled by {caller.Actor}", new LogIds(Machine: machine.HardwareName, Pool: machine.Pool),
            new Dictionary<string, string?> { ["actor"] = caller.Actor, ["action"] = "power cycle", ["reason"] = reason });
        return Results.Redirect("/machines/" + Html.Segment(machine.HardwareName));
    }
}
