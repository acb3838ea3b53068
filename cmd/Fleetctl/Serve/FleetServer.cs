using System.Buffers.Text;
using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Validation;
using Fleet.State;
using Fleetctl.Apply;
using Fleetctl.Commands;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleetctl.Serve;

/// <summary>
/// The HTTP API the datacenter side talks to (<c>fleetctl serve</c>): boot scripts per MAC,
/// installers' completion callbacks, recon registration and read-only status. Only
/// <c>fleetctl serve</c> reaches this class, so no other command loads ASP.NET Core. Nothing is
/// logged per request: tokens travel in headers and kernel command lines and must stay out of logs.
/// </summary>
internal static class FleetServer
{
    /// <summary>Longest failure message an installer may report; longer ones are cut.</summary>
    private const int MaxErrorLength = 4000;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> fires, after writing the address it listens on.
    /// Without a <paramref name="callback"/> URL, machines are told to call back at that address, which
    /// must then be one they can reach (the command refuses a wildcard address without one).
    /// </summary>
    public static async Task RunAsync(IPEndPoint listen, Uri images, Uri? callback, DesiredState desired, StateDatabase database, CliHost host, Console.ConsoleContext console, CancellationToken cancellationToken)
    {
        // Known before the first request unless the system picks the port: then boot scripts are a 503
        // for the instant between binding and reading the port back.
        BootSettings? boot = callback is not null || listen.Port != 0 ? new BootSettings(images, callback ?? new Uri($"http://{listen}/")) : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(listen));
        await using var app = builder.Build();
        app.UseExceptionHandler(errors => errors.Run(context => Error(context, context.Features.Get<IExceptionHandlerFeature>()?.Error)));
        Console.FleetConsole.Register(app, console);
        Map(app, () => Volatile.Read(ref boot), desired, database, host.Clock);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // In use, not an address of this host, or a privileged port: the user's --listen, not a bug.
            throw new FleetException($"--listen: cannot listen on {listen}: {e.Message}");
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Volatile.Write(ref boot, boot ?? new BootSettings(images, new Uri(address + "/")));
        console.Log.Info($"fleetctl serve: listening on {address} (inventory {database.Description})", fields: new Dictionary<string, string?> { ["address"] = address });
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop serving.
        }

        await app.StopAsync(CancellationToken.None);
    }

    /// <summary>The endpoints; <paramref name="boot"/> is null until the port the system chose is known.</summary>
    private static void Map(WebApplication app, Func<BootSettings?> boot, DesiredState desired, StateDatabase database, TimeProvider clock)
    {
        app.MapGet("/boot/{mac}", async (string mac, CancellationToken ct) =>
            boot() is { } settings
                ? Results.Text(await BootScriptAsync(settings, database, mac, ct), "text/plain; charset=utf-8")
                : Problem(StatusCodes.Status503ServiceUnavailable, "starting: try again"));

        app.MapPost("/v1/completions", async (HttpRequest request, CancellationToken ct) =>
        {
            var token = BearerToken(request);
            if (token is null)
            {
                return Problem(StatusCodes.Status401Unauthorized, "a completion needs the attempt's token: Authorization: Bearer <token>");
            }

            var (completion, problem) = ReadCompletion(await ReadBodyAsync(request, ct));
            if (completion is null)
            {
                return Problem(StatusCodes.Status400BadRequest, problem!);
            }

            var recorded = await database.BootTasks.CompleteAsync(Hash(token), completion.Value.Succeeded, completion.Value.Error, clock.GetUtcNow(), ct);
            return recorded ? Results.NoContent() : Problem(StatusCodes.Status401Unauthorized, "unknown or already used token");
        });

        // Registered machines wait for an operator's approval unless their site opts out (recon.autoApprove).
        var autoApproved = desired.Fleet.Sites.Where(s => s.AutoApprove).Select(s => s.Name).ToFrozenSet(StringComparer.Ordinal);
        app.MapPost("/v1/recon", async (HttpRequest request, CancellationToken ct) =>
        {
            var (records, diagnostics) = ReconReader.Read([new ReconInput("request", await ReadBodyAsync(request, ct))], ReconCatalog.From(desired.Fleet));
            if (!diagnostics.IsEmpty)
            {
                return Errors(StatusCodes.Status400BadRequest, diagnostics);
            }

            var registration = await database.Inventory.RegisterAsync(records, autoApproved, new AuditContext("fleetctl serve", "recon registration"), ct);
            return registration.Result is { } result
                ? Results.Json(new JsonObject { ["added"] = result.Created, ["awaitingApproval"] = records.Count(r => !autoApproved.Contains(r.Site)) })
                : Errors(StatusCodes.Status409Conflict, registration.Conflicts);
        });

        app.MapGet("/v1/pools", async (CancellationToken ct) =>
            Json(new JsonArray([.. (await database.Inventory.ListPoolsAsync(ct)).Select(p => (JsonNode)PoolJson(p))]).ToJsonString(Indented)));

        app.MapGet("/v1/machines", async (string? site, string? state, string? pool, string? role, CancellationToken ct) =>
        {
            MachineState? wanted = null;
            if (state is not null)
            {
                if (!MachineStates.TryParse(state, out var parsed))
                {
                    return Problem(StatusCodes.Status400BadRequest, $"state: unknown state '{state}'; expected {MachineStates.Spellings}");
                }

                wanted = parsed;
            }

            var text = new StringWriter();
            await InventoryRenderer.WriteJsonAsync(text, database.Inventory.StreamMachinesAsync(new MachineFilter(site, wanted, pool, role), ct), array: true, ct);
            return Json(text.ToString());
        });

        app.MapGet("/v1/jobs", async (string? status, string? site, string? apply, int? limit, CancellationToken ct) =>
        {
            JobStatus? wanted = null;
            if (status is not null)
            {
                if (!JobStatuses.TryParse(status, out var parsed))
                {
                    return Problem(StatusCodes.Status400BadRequest, $"status: unknown status '{status}'; expected {JobStatuses.Spellings}");
                }

                wanted = parsed;
            }

            var jobs = await database.Jobs.ListAsync(new JobQuery(wanted, apply, site, Math.Clamp(limit ?? 100, 1, 10_000)), ct);
            var text = new StringWriter();
            await JobRenderer.WriteJsonAsync(text, jobs);
            return Json(text.ToString());
        });

        app.MapFallback(() => Problem(StatusCodes.Status404NotFound, "no such endpoint"));
    }

    /// <summary>
    /// The script of the machine with this MAC. An install or sanitize attempt gets a fresh token
    /// with every script (the previous one stops counting), so only the kernel that booted last can report.
    /// </summary>
    private static async Task<string> BootScriptAsync(BootSettings boot, StateDatabase database, string mac, CancellationToken cancellationToken)
    {
        var normal = ReconReader.NormalizeMac(mac);
        if (normal is null)
        {
            return BootScripts.LocalDisk("the path does not end in a MAC address"); // never echoed: it would be a line of the script
        }

        var machine = await database.Inventory.FindMachineByMacAsync(normal, cancellationToken);
        if (machine is null)
        {
            return BootScripts.Recon(boot, normal);
        }

        var image = machine.State switch
        {
            MachineState.Installing => "installer",
            MachineState.Recycling => "sanitize",
            _ => null,
        };
        if (image is null)
        {
            return BootScripts.LocalDisk($"{machine.HardwareName} is {machine.State.ToWire()}");
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var kind = image == "installer" ? BootTaskKinds.Install : BootTaskKinds.Sanitize;
        return await database.BootTasks.IssueTokenAsync(machine.HardwareName, kind, Hash(token), cancellationToken) is not null
            ? BootScripts.Task(boot, machine, image, token)
            : BootScripts.LocalDisk($"{machine.HardwareName} is {machine.State.ToWire()} with no {kind} attempt waiting for it");
    }

    /// <summary>The token's SHA-256: what the state database keeps, never the token.</summary>
    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } token
            ? token
            : null;

    private static ((bool Succeeded, string? Error)? Completion, string? Problem) ReadCompletion(byte[] body)
    {
        const string Expected = "expected {\"succeeded\": true} or {\"succeeded\": false, \"error\": \"...\"}";
        if (!Utf8.IsValid(body))
        {
            return (null, $"the body is not valid UTF-8; {Expected}");
        }

        JsonNode? node;
        try
        {
            // A second "succeeded" or "error" would make the body mean two things: refused.
            node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return (null, $"the body is not JSON ({e.Message}); {Expected}");
        }

        if (node is not JsonObject fields || fields["succeeded"] is not JsonValue succeededValue || !succeededValue.TryGetValue<bool>(out var succeeded))
        {
            return (null, Expected);
        }

        if (fields.Select(p => p.Key).FirstOrDefault(k => k is not ("succeeded" or "error")) is { } unknown)
        {
            return (null, $"unknown field '{unknown}'; {Expected}");
        }

        string? error = null;
        if (fields["error"] is { } errorNode)
        {
            try
            {
                if (errorNode is not JsonValue errorValue || !errorValue.TryGetValue(out error))
                {
                    return (null, $"error: expected a string; {Expected}");
                }
            }
            catch (InvalidOperationException)
            {
                return (null, $"error: not a valid string (a lone surrogate escape); {Expected}");
            }
        }

        if (!succeeded && string.IsNullOrWhiteSpace(error))
        {
            return (null, $"a failure needs an error message; {Expected}");
        }

        // The message is shown in apply's progress and fleetctl jobs, on operators' terminals.
        if (error is not null && PrintableText.Problem(error) is { } problem)
        {
            return (null, $"error: {problem}; send the message as one line of printable text");
        }

        return ((succeeded, succeeded ? null : error![..Math.Min(error!.Length, MaxErrorLength)]), null);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static JsonObject PoolJson(PoolRecord pool) => new()
    {
        ["name"] = pool.Name,
        ["backend"] = pool.Backend,
        ["role"] = pool.Role,
        ["image"] = pool.Image,
        ["protected"] = pool.Protected,
        ["updatedAt"] = pool.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["version"] = pool.Version,
    };

    private static IResult Json(string json) => Results.Text(json, "application/json; charset=utf-8");

    private static IResult Errors(int status, IEnumerable<Diagnostic> diagnostics) =>
        Results.Json(new JsonObject { ["errors"] = new JsonArray([.. diagnostics.Select(d => (JsonNode)d.ToString())]) }, statusCode: status);

    private static IResult Problem(int status, string message) =>
        Results.Json(new JsonObject { ["error"] = message }, statusCode: status);

    /// <summary>
    /// An error no endpoint turned into a response: a user error (the database is down) is a 503 with
    /// its message (passwords are already redacted in it), anything else a 500 without detail.
    /// </summary>
    private static Task Error(HttpContext context, Exception? error)
    {
        var (status, message) = error is FleetException fleet
            ? (StatusCodes.Status503ServiceUnavailable, string.Join("; ", fleet.Diagnostics.Select(d => d.Message)))
            : (StatusCodes.Status500InternalServerError, "internal error");
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = message });
    }
}
