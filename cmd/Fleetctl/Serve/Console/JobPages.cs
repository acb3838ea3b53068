using System.Globalization;
using Fleet.Engine.Jobs;
using Microsoft.AspNetCore.Http;

namespace Fleetctl.Serve.Console;

/// <summary>The jobs list (running, queued and failed first), a job's page, the apply history and an apply's page.</summary>
internal static class JobPages
{
    public static async Task<IResult> ListAsync(ConsoleContext console, Caller caller, string? status, CancellationToken cancellationToken)
    {
        var main = new Html();
        main.Raw("<p class=\"tabs\">").Link("/jobs", "active and failed").Raw(" · ");
        foreach (var name in new[] { "running", "queued", "failed", "finished" })
        {
            main.Link("/jobs?status=" + name, name).Raw(" ");
        }

        main.Raw("</p>");
        if (status is not null)
        {
            if (!JobStatuses.TryParse(status, out var wanted))
            {
                return ConsoleLayout.Error(StatusCodes.Status400BadRequest, $"status: unknown status '{status[..Math.Min(status.Length, 40)]}'; expected {JobStatuses.Spellings}", console.Desired.Fleet.Name, caller);
            }

            Table(main, await console.Database.Jobs.ListAsync(new JobQuery(wanted, Limit: 200), cancellationToken));
        }
        else
        {
            foreach (var wanted in new[] { JobStatus.Running, JobStatus.Queued, JobStatus.Failed })
            {
                main.Raw("<h2>").Text(wanted.ToWire()).Raw("</h2>");
                Table(main, await console.Database.Jobs.ListAsync(new JobQuery(wanted, Limit: 100), cancellationToken));
            }
        }

        return ConsoleLayout.Page("Jobs", console.Desired.Fleet.Name, caller, main, live: true);
    }

    public static void Table(Html main, IReadOnlyList<Job> jobs)
    {
        if (jobs.Count == 0)
        {
            main.Raw("<p class=\"empty\">no jobs</p>");
            return;
        }

        main.Raw("<table class=\"jobs\">").Header("job", "action", "target", "site", "status", "attempts", "worker", "lease until", "error").Raw("<tbody>");
        foreach (var job in jobs)
        {
            main.Raw("<tr data-job=\"").Number(job.Id).Raw("\"><td>").Link($"/jobs/{job.Id}", job.Id.ToString(CultureInfo.InvariantCulture)).Raw("</td>")
                .Cell(job.Action).Cell(job.Target).Cell(job.Site ?? "—")
                .Raw("<td><span class=\"badge ").Text(job.Status.ToWire()).Raw("\">").Text(job.Status.ToWire()).Raw("</span></td>")
                .Cell(job.Attempts).Cell(job.Worker ?? "—").Cell(Html.Time(job.LeaseUntil)).Cell(job.Error is { Length: > 120 } e ? e[..120] + "…" : job.Error ?? "").Raw("</tr>");
        }

        main.Raw("</tbody></table>");
    }

    public static async Task<IResult> JobAsync(ConsoleContext console, Caller caller, string id, CancellationToken cancellationToken)
    {
        var job = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? await console.Database.Jobs.GetAsync(number, cancellationToken) : null;
        if (job is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"job {id[..Math.Min(id.Length, 40)]} is not in the job broker", console.Desired.Fleet.Name, caller);
        }

        var main = new Html();
        main.Raw("<dl class=\"facts\">")
            .Raw("<dt>status</dt><dd><span class=\"badge ").Text(job.Status.ToWire()).Raw("\" id=\"job-status\">").Text(job.Status.ToWire()).Raw("</span></dd>")
            .Raw("<dt>action</dt><dd>").Text(job.Action).Raw("</dd>")
            .Raw("<dt>target</dt><dd>").Raw(job.Action is "install" or "recycle" ? $"<a href=\"/machines/{Html.Segment(job.Target)}\">" : "<span>").Text(job.Target).Raw(job.Action is "install" or "recycle" ? "</a>" : "</span>").Raw("</dd>")
            .Raw("<dt>site</dt><dd>").Text(job.Site ?? "—").Raw("</dd>")
            .Raw("<dt>apply</dt><dd>").Raw(job.ApplyId is null ? "—" : $"<a href=\"/applies/{Html.Segment(job.ApplyId)}\">").Text(job.ApplyId ?? "").Raw(job.ApplyId is null ? "" : "</a>").Raw("</dd>")
            .Raw("<dt>attempts</dt><dd id=\"job-attempts\">").Number(job.Attempts).Raw("</dd>")
            .Raw("<dt>worker</dt><dd>").Text(job.Worker ?? "—").Raw("</dd>")
            .Raw("<dt>lease until</dt><dd>").Text(Html.Time(job.LeaseUntil)).Raw("</dd>")
            .Raw("<dt>next attempt</dt><dd>").Text(Html.Time(job.NextAttemptAt)).Raw("</dd>")
            .Raw("<dt>requested by</dt><dd>").Text(job.Requester).Raw("</dd>")
            .Raw("<dt>commit</dt><dd><code>").Text(job.Commit ?? "—").Raw("</code></dd>")
            .Raw("<dt>created / started / ended</dt><dd>").Text($"{Html.Time(job.CreatedAt)} / {Html.Time(job.StartedAt)} / {Html.Time(job.EndedAt)}").Raw("</dd>")
            .Raw("<dt>error</dt><dd><pre>").Text(job.Error ?? "—").Raw("</pre></dd>")
            .Raw("<dt>replacement of / replaced by</dt><dd>").Text($"{job.ReplacementOf?.ToString(CultureInfo.InvariantCulture) ?? "—"} / {job.ReplacedBy?.ToString(CultureInfo.InvariantCulture) ?? "—"}").Raw("</dd>")
            .Raw("</dl><h2>Change</h2><pre>").Text(job.Params.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })).Raw("</pre>");
        ConsoleActions.JobForms(main, console, caller, job);
        return ConsoleLayout.Page($"Job {job.Id}", console.Desired.Fleet.Name, caller, main, live: true);
    }

    public static async Task<IResult> AppliesAsync(ConsoleContext console, Caller caller, CancellationToken cancellationToken)
    {
        var applies = await console.Database.ApplyHistory.ListAsync(100, cancellationToken);
        var main = new Html().Raw("<table class=\"applies\">").Header("apply", "who", "host", "commit", "started", "ended", "result", "changes").Raw("<tbody>");
        foreach (var apply in applies)
        {
            main.Raw("<tr><td>").Link("/applies/" + Html.Segment(apply.Id), apply.Id).Raw("</td>").Cell(apply.User).Cell(apply.Host)
                .Cell(apply.Commit is { Length: > 12 } c ? c[..12] : apply.Commit ?? "worktree").Cell(Html.Time(apply.StartedAt)).Cell(Html.Time(apply.EndedAt))
                .Raw("<td><span class=\"badge ").Text(apply.Result).Raw("\">").Text(apply.Result).Raw("</span></td>")
                .Cell(apply.Counts.IsEmpty ? "—" : string.Join(", ", apply.Counts.Select(p => $"{p.Value} {p.Key}"))).Raw("</tr>");
        }

        main.Raw("</tbody></table>");
        return ConsoleLayout.Page("Applies", console.Desired.Fleet.Name, caller, main, live: true);
    }

    public static async Task<IResult> ApplyAsync(ConsoleContext console, Caller caller, string id, CancellationToken cancellationToken)
    {
        var apply = (await console.Database.ApplyHistory.ListAsync(1000, cancellationToken)).FirstOrDefault(a => a.Id == id);
        if (apply is null)
        {
            return ConsoleLayout.Error(StatusCodes.Status404NotFound, $"apply {id[..Math.Min(id.Length, 80)]} is not in the apply history", console.Desired.Fleet.Name, caller);
        }

        var jobs = await console.Database.Jobs.ListAsync(new JobQuery(ApplyId: apply.Id, Limit: 10_000), cancellationToken);
        var main = new Html();
        main.Raw("<dl class=\"facts\">")
            .Raw("<dt>result</dt><dd><span class=\"badge ").Text(apply.Result).Raw("\">").Text(apply.Result).Raw("</span></dd>")
            .Raw("<dt>who</dt><dd>").Text($"{apply.User} on {apply.Host}").Raw("</dd>")
            .Raw("<dt>commit</dt><dd><code>").Text(apply.Commit ?? "worktree").Raw("</code></dd>")
            .Raw("<dt>plan checksum</dt><dd><code>").Text(apply.PlanChecksum ?? "—").Raw("</code></dd>")
            .Raw("<dt>started / ended</dt><dd>").Text($"{Html.Time(apply.StartedAt)} / {Html.Time(apply.EndedAt)}").Raw("</dd>")
            .Raw("<dt>outcome</dt><dd>").Text(apply.Counts.IsEmpty ? "—" : string.Join(", ", apply.Counts.Select(p => $"{p.Value} {p.Key}"))).Raw("</dd>")
            .Raw("</dl><h2>Changes</h2>");
        main.Raw("<table>").Header("change", "action", "target", "job", "status", "attempts", "error").Raw("<tbody>");
        foreach (var job in jobs.OrderBy(j => j.Id))
        {
            main.Raw("<tr>").Cell(job.ChangeId).Cell(job.Action).Cell(job.Target).Raw("<td>").Link($"/jobs/{job.Id}", job.Id.ToString(CultureInfo.InvariantCulture)).Raw("</td>")
                .Raw("<td><span class=\"badge ").Text(job.Status.ToWire()).Raw("\">").Text(job.Status.ToWire()).Raw("</span></td>").Cell(job.Attempts).Cell(job.Error ?? "").Raw("</tr>");
        }

        main.Raw("</tbody></table>");
        return ConsoleLayout.Page($"Apply {apply.Id}", console.Desired.Fleet.Name, caller, main, live: apply.Result == "running");
    }
}
