using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleetctl.Tests.Apply;
using Fleetctl.Tests.Serve;

namespace Fleetctl.Tests.Console;

/// <summary>
/// The console of <c>fleetctl serve</c> over HTTP after an apply: the overview, pool, machines, jobs
/// and applies pages, <c>/metrics</c> and the probes, <c>fleetctl status</c>, the actions with their
/// admin and CSRF tokens, and bad input, each answered with its status code and changing nothing.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private TestFleet fleet = null!;
    private RunningServe serve = null!;

    public async Task InitializeAsync()
    {
        fleet = await AppliedFleet.CreateAsync();
        serve = await RunningServe.StartAsync(fleet, "--admin-token", "env:FLEET_ADMIN_TOKEN", "--viewer-token", "env:FLEET_VIEWER_TOKEN");
    }

    public async Task DisposeAsync()
    {
        await serve.DisposeAsync();
        fleet.Dispose();
    }

    [Fact]
    public async Task Status_and_the_overview_show_each_pools_desired_size_against_its_machines()
    {
        var (exit, output, _) = await fleet.RunAsync("status", "--format", "json");
        Assert.Equal(0, exit);
        var status = JsonNode.Parse(output)!;
        var web = status["pools"]!.AsArray().Single(p => (string)p!["name"]! == "web-lon")!;
        Assert.Equal((5, 5L, 0L, "ok", "edge-team"), ((int)web["desired"]!, (long)web["inUse"]!, (long)web["broken"]!, (string)web["status"]!, (string)web["owner"]!));
        var lonCompute = status["capacity"]!.AsArray().Single(c => (string)c!["site"]! == "lon" && (string)c["hardware"]! == "compute")!;
        Assert.Equal((3L, 5L), ((long)lonCompute["available"]!, (long)lonCompute["inUse"]!));

        var text = await fleet.RunAsync("status");
        Assert.Matches(@"web-lon\s+physical\s+lon\s+web\s+edge-team\s+5\s+5\s+0\s+0\s+ok", text.Out);
        Assert.Contains("Jobs: 0 running, 0 queued, 0 failed", text.Out, StringComparison.Ordinal);

        var served = JsonNode.Parse(await serve.Http.GetStringAsync("v1/status"))!;
        Assert.Equal(status["pools"]!.ToJsonString(), served["pools"]!.ToJsonString());

        var overview = await serve.Http.GetStringAsync("");
        Assert.Contains("<tr data-pool=\"web-lon\">", overview, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num desired\">5</td><td class=\"num in_use\">5</td><td class=\"num installing\">0</td><td class=\"num broken\">0</td>", overview, StringComparison.Ordinal);
        Assert.Contains("id=\"machines-total\">40<", overview, StringComparison.Ordinal);
        var pool = await serve.Http.GetStringAsync("pools/web-lon");
        Assert.Contains("pools/lon.yaml:", pool, StringComparison.Ordinal); // the YAML line to edit
        Assert.Equal(5, CountOf(pool, "<span class=\"badge in_use\">"));
    }

    [Fact]
    public async Task Metrics_export_the_inventory_and_the_job_broker_and_the_probes_answer()
    {
        var metrics = await serve.Http.GetStringAsync("metrics");
        Assert.Contains("fleet_machines{site=\"lon\",state=\"in_use\",pool=\"web-lon\",hardware=\"compute\",role=\"web\"} 5", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_pool_desired_size{pool=\"web-lon\",backend=\"physical\",site=\"lon\",role=\"web\"} 5", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_pool_machines{pool=\"web-lon\",state=\"in_use\"} 5", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_jobs{action=\"install\",site=\"lon\",status=\"finished\"} 13", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_applies_total{result=\"succeeded\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_apply_duration_seconds_count{result=\"succeeded\"} 1", metrics, StringComparison.Ordinal);
        // Each apply is observed once, however often Prometheus scrapes.
        Assert.Contains("fleet_applies_total{result=\"succeeded\"} 1", await serve.Http.GetStringAsync("metrics"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await serve.Http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await serve.Http.GetAsync("readyz")).StatusCode);
    }

    [Fact]
    public async Task The_machines_page_searches_and_filters_in_the_database_and_a_machine_page_shows_no_credentials()
    {
        var all = await serve.Http.GetStringAsync("machines");
        Assert.Contains("<span id=\"machine-count\">40</span>", all, StringComparison.Ordinal);
        var inUse = await serve.Http.GetStringAsync("machines?site=lon&state=in_use&pool=web-lon");
        Assert.Contains("<span id=\"machine-count\">5</span>", inUse, StringComparison.Ordinal);
        var searched = await serve.Http.GetStringAsync("machines?q=sm64cf");
        Assert.Contains("<span id=\"machine-count\">1</span>", searched, StringComparison.Ordinal);
        Assert.Contains("SM64CFUWQ", searched, StringComparison.Ordinal);

        var machine = await serve.Http.GetStringAsync("machines/SM64CFUWQ");
        Assert.Contains("3c:ec:ef:96:35:d0", machine, StringComparison.Ordinal);
        Assert.Contains("credentials are never shown", machine, StringComparison.Ordinal);
        Assert.Contains("ingest", machine, StringComparison.Ordinal); // audit history
        Assert.DoesNotContain(AppliedFleet.AdminToken, machine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_retry_needs_the_admin_token_the_csrf_token_and_a_confirmation()
    {
        var failed = await AppliedFleet.FailedJobAsync(fleet);
        var id = failed.Id;
        var form = (string csrf, string confirm) => new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["confirm"] = confirm });

        // Anonymous: the page shows the action, but has no CSRF token and the POST is refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await serve.Http.PostAsync($"jobs/{id}/retry", form("x", "yes"))).StatusCode);

        using var viewer = await LoggedInAsync(AppliedFleet.ViewerToken);
        var viewerCsrf = AppliedFleet.Csrf(await viewer.GetStringAsync($"jobs/{id}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"jobs/{id}/retry", form(viewerCsrf, "yes"))).StatusCode);

        using var admin = await LoggedInAsync(AppliedFleet.AdminToken);
        var page = await admin.GetStringAsync($"jobs/{id}");
        var csrf = AppliedFleet.Csrf(page);
        Assert.NotEqual(viewerCsrf, csrf);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync($"jobs/{id}/retry", new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "yes" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync($"jobs/{id}/retry", form(viewerCsrf, "yes"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"jobs/{id}/retry", form(csrf, "no"))).StatusCode);
        Assert.Equal(JobStatus.Failed, await AppliedFleet.JobStatusAsync(fleet, id));

        var retried = await admin.PostAsync($"jobs/{id}/retry", form(csrf, "yes"));
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Equal(JobStatus.Queued, await AppliedFleet.JobStatusAsync(fleet, id));
        Assert.Contains($"job {id} install {failed.Target}: queued again by console admin from 127.0.0.1", serve.Out, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"jobs/{id}/retry", form(csrf, "yes"))).StatusCode); // no longer failed

        // A bearer token works for scripts, with the CSRF token of that credential.
        using var bearer = new HttpClient { BaseAddress = serve.Address };
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AppliedFleet.AdminToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await bearer.PostAsync($"jobs/{id}/retry", form(csrf, "yes"))).StatusCode); // the session's token is not the bearer's
    }

    [Fact]
    public async Task Marking_broken_and_repairing_from_the_console_is_audited_with_the_actor()
    {
        using var admin = await LoggedInAsync(AppliedFleet.AdminToken);
        var csrf = AppliedFleet.Csrf(await admin.GetStringAsync("machines/SM64CFUWQ"));
        var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["confirm"] = "yes", ["reason"] = "fans failing" });
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("machines/SM64CFUWQ/broken", body)).StatusCode);
        await using (var database = await fleet.OpenAsync())
        {
            Assert.Equal(MachineState.Broken, (await database.Inventory.GetMachineAsync("SM64CFUWQ", CancellationToken.None))!.State);
            var entry = (await database.Inventory.ListAuditAsync("SM64CFUWQ", CancellationToken.None))[^1];
            Assert.Equal(("console admin from 127.0.0.1", "fans failing"), (entry.Actor, entry.Reason));
        }

        body = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["confirm"] = "yes" });
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("machines/SM64CFUWQ/repair", body)).StatusCode);
        await using (var database = await fleet.OpenAsync())
        {
            Assert.Equal(MachineState.Available, (await database.Inventory.GetMachineAsync("SM64CFUWQ", CancellationToken.None))!.State);
        }
    }

    [Fact]
    public async Task Bad_input_gets_its_status_code_and_changes_nothing()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await serve.Http.GetAsync("machines/NO-SUCH-SERIAL")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await serve.Http.GetAsync("jobs/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await serve.Http.GetAsync("jobs/not-a-number")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await serve.Http.GetAsync("pools/no-such-pool")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await serve.Http.GetAsync("applies/no-such-apply")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await serve.Http.GetAsync("machines?state=bogus")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await serve.Http.GetAsync("jobs?status=bogus")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await serve.Http.GetAsync("machines?q=" + new string('a', 1000))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, (await serve.Http.GetAsync("machines?q=" + new string('a', 20_000))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await serve.Http.PostAsync("login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "wrong" }))).StatusCode);
        using var admin = await LoggedInAsync(AppliedFleet.AdminToken);
        var csrf = AppliedFleet.Csrf(await admin.GetStringAsync("machines/SM64CFUWQ"));
        var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf, ["confirm"] = "yes" });
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("jobs/424242/retry", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("machines/NO-SUCH-SERIAL/broken", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("machines/SM64CFUWQ/repair", body)).StatusCode); // available, not broken
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("machines/SM64CFUWQ/broken", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        var status = JsonNode.Parse((await fleet.RunAsync("status", "--format", "json")).Out)!;
        Assert.Equal(21, status["pools"]!.AsArray().Sum(p => (long)p!["inUse"]!));
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line_with_the_ids()
    {
        await using var jsonServe = await RunningServe.StartAsync(fleet, "--log-format", "json");
        var first = JsonDocument.Parse(jsonServe.Out.Split('\n')[0]).RootElement;
        Assert.Equal("info", first.GetProperty("level").GetString());
        Assert.StartsWith("fleetctl serve: listening on http://127.0.0.1:", first.GetProperty("msg").GetString(), StringComparison.Ordinal);

        var failed = await AppliedFleet.FailedJobAsync(fleet);
        var id = failed.Id;
        await using (var database = await fleet.OpenAsync())
        {
            await database.Jobs.RetryAsync(id, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var worker = await fleet.RunAsync("worker", "--once", "--log-format", "json");
        Assert.Equal(0, worker.Exit);
        var lines = worker.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var attempt = lines.FirstOrDefault(l => l.TryGetProperty("job", out var job) && job.GetInt64() == id);
        Assert.True(attempt.ValueKind == JsonValueKind.Object, worker.Out + worker.Err);
        Assert.Equal(("install", failed.Target, failed.Target), (attempt.GetProperty("action").GetString(), attempt.GetProperty("target").GetString(), attempt.GetProperty("machine").GetString()));
    }

    [Fact]
    public async Task Beyond_loopback_reading_needs_the_viewer_token_and_machines_still_boot()
    {
        await using var wide = await RunningServe.StartAsync(fleet, "--listen", "0.0.0.0:0", "--callback-url", "http://10.1.0.5:8080/", "--viewer-token", "env:FLEET_VIEWER_TOKEN");
        foreach (var path in new[] { "", "machines", "metrics", "v1/pools", "v1/machines", "v1/jobs", "v1/status" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wide.Http.GetAsync(path)).StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", "not-the-token") } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await wide.Http.SendAsync(wrong)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", AppliedFleet.ViewerToken) } };
            Assert.Equal(HttpStatusCode.OK, (await wide.Http.SendAsync(right)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await wide.Http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await wide.Http.GetAsync("login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await wide.Http.GetAsync("boot/3c:ec:ef:96:35:d0")).StatusCode); // machines carry no console token

        // Without --admin-token no action is possible, whoever asks.
        using var viewer = new HttpRequestMessage(HttpMethod.Post, "jobs/1/retry") { Headers = { Authorization = new("Bearer", AppliedFleet.ViewerToken) } };
        Assert.Equal(HttpStatusCode.Forbidden, (await wide.Http.SendAsync(viewer)).StatusCode);
        Assert.DoesNotContain(AppliedFleet.ViewerToken, wide.Out, StringComparison.Ordinal);
    }

    private async Task<HttpClient> LoggedInAsync(string token)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = serve.Address };
        var login = await client.PostAsync("login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains("httponly", login.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        return client;
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
