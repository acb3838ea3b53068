using System.Reflection;
using Fleet.Engine.Inventory;
using Fleetctl.Serve.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Fleetctl.Serve.Console;

/// <summary>
/// The console in <c>fleetctl serve</c> (docs/console.md): server-rendered pages, their bundled
/// stylesheet and script, the login, the operational actions, <c>/metrics</c>, <c>/healthz</c> and
/// <c>/readyz</c>, and the access check in front of every read endpoint of serve.
/// </summary>
internal static class FleetConsole
{
    /// <summary>Paths machines and installers call, which carry their own credentials (or none, for recon) and are not the console's to guard.</summary>
    private static readonly string[] MachinePaths = ["/boot/", "/v1/completions", "/v1/recon"];

    /// <summary>Paths anyone may fetch: probes, the login page and the assets it needs.</summary>
    private static readonly string[] OpenPaths = ["/healthz", "/readyz", "/login", "/logout", "/assets/"];

    public static void Register(WebApplication app, ConsoleContext console)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new FleetMetrics(console.Desired, console.Database, console.Drift, registry);
        app.Use(async (context, next) =>
        {
            // The server's own time for the response, for benchmarks and browsers' network panels.
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            context.Response.OnStarting(() =>
            {
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                context.Response.Headers["Server-Timing"] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"app;dur={elapsed:0.0}");
                return Task.CompletedTask;
            });
            var path = context.Request.Path.Value ?? "/";
            if (MachinePaths.Any(p => path.StartsWith(p, StringComparison.Ordinal)) || OpenPaths.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
            {
                await next(context);
                return;
            }

            var caller = console.Access.Identify(context);
            context.Items[typeof(Caller)] = caller;
            if (caller.Level < console.Access.ReadLevel)
            {
                await Refuse(context, console, caller);
                return;
            }

            await next(context);
        });

        ProbeEndpoints.Map(app, registry, console.Database);
        MapAssets(app);
        MapLogin(app, console);
        app.MapGet("/", (HttpContext c, CancellationToken ct) => OverviewPages.OverviewAsync(console, Caller(c), ct));
        app.MapGet("/pools/{name}", (string name, HttpContext c, CancellationToken ct) => OverviewPages.PoolAsync(console, Caller(c), name, ct));
        app.MapGet("/machines", (HttpContext c, CancellationToken ct) => MachinePages.ListAsync(console, Caller(c), c.Request, ct));
        app.MapGet("/machines/{serial}", (string serial, HttpContext c, CancellationToken ct) => MachinePages.MachineAsync(console, Caller(c), serial, ct));
        app.MapGet("/jobs", (string? status, HttpContext c, CancellationToken ct) => JobPages.ListAsync(console, Caller(c), status, ct));
        app.MapGet("/jobs/{id}", (string id, HttpContext c, CancellationToken ct) => JobPages.JobAsync(console, Caller(c), id, ct));
        app.MapGet("/applies", (HttpContext c, CancellationToken ct) => JobPages.AppliesAsync(console, Caller(c), ct));
        app.MapGet("/applies/{id}", (string id, HttpContext c, CancellationToken ct) => JobPages.ApplyAsync(console, Caller(c), id, ct));
        app.MapGet("/v1/status", async (CancellationToken ct) => Results.Text(
            Commands.StatusCommand.ToJson(await Overview.FleetOverview.ReadAsync(console.Desired, console.Database, ct)).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }),
            "application/json; charset=utf-8"));
        app.MapGet("/drift", (HttpContext c, CancellationToken ct) => OverviewPages.DriftAsync(console, Caller(c), ct));
        app.MapGet("/zones", (HttpContext c, CancellationToken ct) => OverviewPages.ZonesAsync(console, Caller(c), ct));
        app.MapPost("/jobs/{id}/retry", (string id, HttpContext c, CancellationToken ct) => ConsoleActions.RetryAsync(console, Caller(c), id, c.Request, ct));
        app.MapPost("/machines/{serial}/broken", (string serial, HttpContext c, CancellationToken ct) => ConsoleActions.TransitionAsync(console, Caller(c), serial, MachineState.Broken, c.Request, ct));
        app.MapPost("/machines/{serial}/repair", (string serial, HttpContext c, CancellationToken ct) => ConsoleActions.TransitionAsync(console, Caller(c), serial, MachineState.Available, c.Request, ct));
        app.MapPost("/machines/{serial}/power-cycle", (string serial, HttpContext c, CancellationToken ct) => ConsoleActions.PowerCycleAsync(console, Caller(c), serial, c.Request, ct));
    }

    private static Caller Caller(HttpContext context) =>
        context.Items.TryGetValue(typeof(Caller), out var caller) && caller is Caller known ? known : new Caller(AccessLevel.None, "console anonymous", null);

    /// <summary>A read without the token it needs: a page says how to log in, an API client gets JSON.</summary>
    private static Task Refuse(HttpContext context, ConsoleContext console, Caller caller)
    {
        var status = caller.Level == AccessLevel.None ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"fleetctl\"";
        var message = console.Access.HasViewerToken || console.Access.HasAdminToken
            ? "serve listens beyond loopback: reading needs the viewer token (Authorization: Bearer, or log in at /login)"
            : "serve listens beyond loopback and was started without --viewer-token: nothing can be read";
        if ((context.Request.Path.Value ?? "").StartsWith("/v1/", StringComparison.Ordinal) || context.Request.Path == "/metrics")
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsJsonAsync(new System.Text.Json.Nodes.JsonObject { ["error"] = message });
        }

        return ConsoleLayout.Error(status, message, console.Desired.Fleet.Name, caller).ExecuteAsync(context);
    }

    private static void MapLogin(WebApplication app, ConsoleContext console)
    {
        var fleet = console.Desired.Fleet.Name;
        app.MapGet("/login", (HttpContext c) => LoginPage(fleet, console.Access.Identify(c), null, StatusCodes.Status200OK));
        app.MapPost("/login", async (HttpContext c, CancellationToken ct) =>
        {
            var anonymous = new Caller(AccessLevel.None, "console anonymous", null);
            if (!c.Request.HasFormContentType)
            {
                return LoginPage(fleet, anonymous, "log in with the login form", StatusCodes.Status400BadRequest);
            }

            var form = await c.Request.ReadFormAsync(ct);
            var token = form["token"].ToString();
            if (token.Length is 0 or > 4096 || console.Access.Login(token) is not { } session)
            {
                return LoginPage(fleet, anonymous, "that token is neither the viewer nor the admin token", StatusCodes.Status401Unauthorized);
            }

            c.Response.Cookies.Append(ConsoleAccess.CookieName, session.Cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = c.Request.IsHttps,
                Path = "/",
                MaxAge = ConsoleAccess.SessionLifetime,
            });
            console.Log.Info($"console login as {(session.Level == AccessLevel.Admin ? "admin" : "viewer")} from {c.Connection.RemoteIpAddress}");
            return Results.Redirect("/");
        });
        app.MapPost("/logout", (HttpContext c) =>
        {
            console.Access.Logout(c);
            c.Response.Cookies.Delete(ConsoleAccess.CookieName);
            return Results.Redirect("/login");
        });
    }

    private static IResult LoginPage(string fleet, Caller caller, string? problem, int status)
    {
        var main = new Html();
        if (problem is not null)
        {
            main.Raw("<p class=\"error\">").Text(problem).Raw("</p>");
        }

        main.Raw("<form method=\"post\" action=\"/login\" class=\"login\"><label>Token <input type=\"password\" name=\"token\" autocomplete=\"current-password\" required maxlength=\"4096\"></label> ")
            .Raw("<button type=\"submit\">Log in</button></form>")
            .Raw("<p>The viewer token lets you read; the admin token also lets you act. The session cookie is HttpOnly and lasts 12 hours. ")
            .Raw("Scripts and API clients send <code>Authorization: Bearer TOKEN</code> instead.</p>");
        return ConsoleLayout.Page("Log in", fleet, caller, main, status: status);
    }

    private static void MapAssets(WebApplication app)
    {
        foreach (var (name, type) in new[] { ("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8") })
        {
            var bytes = Asset(name);
            app.MapGet("/assets/" + name, (HttpContext c) =>
            {
                c.Response.Headers.CacheControl = "public, max-age=3600";
                return Results.Bytes(bytes, type);
            });
        }
    }

    /// <summary>A file of <c>Serve/Console/Assets</c>, embedded in the binary: nothing is fetched at run time.</summary>
    private static byte[] Asset(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Fleetctl.Console.Assets." + name)
            ?? throw new InvalidOperationException($"asset {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
