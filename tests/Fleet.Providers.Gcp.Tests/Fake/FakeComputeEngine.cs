using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Providers.Gcp.Tests.Fake;

/// <summary>
/// A Compute Engine v1 REST API on a loopback port, written from the published reference: bearer-token
/// authentication (401 with Google's error body), an OAuth token endpoint that checks the RS256 JWT a
/// service-account key signs, instance templates, zonal managed instance groups whose instances come
/// up and go away over time (<c>status.isStable</c> false meanwhile), operations that go
/// <c>PENDING</c> → <c>RUNNING</c> → <c>DONE</c> and take effect when done, errors in Google's format
/// (400, 401, 404, 409), pagination, and injected faults (a 503 or 429 on the next calls, a failed operation).
/// </summary>
public sealed partial class FakeComputeEngine : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly FakeComputeState state;
    private readonly ConcurrentDictionary<string, RSA> serviceAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(int Status, string Reason)> faults = new();
    private readonly ConcurrentQueue<string> log = new();
    private int tokenExchanges;

    private FakeComputeEngine(WebApplication app, FakeComputeState state)
    {
        this.app = app;
        this.state = state;
    }

    public const string Project = "fleet-test-project";

    private const string GoogleTokenUrl = "https://oauth2.googleapis.com/token";

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What <c>gcp.endpoint</c> points at.</summary>
    public Uri Endpoint => new(BaseAddress, "compute/v1/");

    public Uri TokenUri => new(BaseAddress, "token");

    /// <summary>Access tokens handed out by the token endpoint so far.</summary>
    public int TokenExchanges => Volatile.Read(ref tokenExchanges);

    /// <summary>Every Compute call as <c>METHOD path</c>, in order.</summary>
    public IReadOnlyList<string> Calls => [.. log];

    public FakeComputeState State => state;

    public static async Task<FakeComputeEngine> StartAsync(FakeComputeTimings? timings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeComputeEngine(app, new FakeComputeState(Project, timings ?? FakeComputeTimings.Fast, TimeProvider.System));
        app.MapPost("/token", fake.TokenAsync);
        app.Map("/compute/v1/{**path}", fake.ComputeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        fake.state.LinkBase = fake.Endpoint.AbsoluteUri;
        return fake;
    }

    /// <summary>
    /// A service-account JSON key, as the Cloud console downloads it, with a fresh RSA key whose public
    /// half the token endpoint trusts, and <c>token_uri</c> pointing at this fake.
    /// </summary>
    public string CreateServiceAccountKey(string name = "fleetctl")
    {
        var rsa = RSA.Create(2048);
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var email = $"{name}@{Project}.iam.gserviceaccount.com";
        serviceAccounts[email] = rsa;
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = Project,
            ["private_key_id"] = keyId,
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = email,
            ["client_id"] = "108000000000000000001",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUri.AbsoluteUri,
            ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
            ["universe_domain"] = "googleapis.com",
        }.ToJsonString();
    }

    /// <summary>An access token the API accepts, without the OAuth exchange (for tests about something else).</summary>
    public string IssueToken()
    {
        var token = "ya29.fake-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        tokens[token] = true;
        return token;
    }

    /// <summary>The next <paramref name="times"/> Compute calls fail with <paramref name="status"/> (503 backendError, 429 rateLimitExceeded…).</summary>
    public void FailNextCalls(int status, string reason, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            faults.Enqueue((status, reason));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        foreach (var rsa in serviceAccounts.Values)
        {
            rsa.Dispose();
        }
    }

    /// <summary>The OAuth 2.0 JWT-bearer grant (RFC 7523) as Google's token endpoint serves it.</summary>
    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || form["assertion"].ToString() is not { Length: > 0 } assertion)
        {
            await OAuthErrorAsync(context, "unsupported_grant_type", "Invalid grant_type.");
            return;
        }

        var parts = assertion.Split('.');
        JsonNode? claims = null;
        try
        {
            claims = parts.Length == 3 ? JsonNode.Parse(Base64Url(parts[1])) : null;
        }
        catch (JsonException)
        {
        }

        var email = claims?["iss"]?.GetValue<string>();
        if (claims is null || email is null || !serviceAccounts.TryGetValue(email, out var rsa)
            || !rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            await OAuthErrorAsync(context, "invalid_grant", "Invalid JWT Signature.");
            return;
        }

        var expires = claims["exp"]?.GetValue<long>() ?? 0;
        // Google.Apis.Auth posts to the key's token_uri but always signs Google's token URL as the audience, which Google accepts.
        var audience = claims["aud"]?.GetValue<string>();
        if ((audience != TokenUri.AbsoluteUri && audience != GoogleTokenUrl) || expires < DateTimeOffset.UtcNow.ToUnixTimeSeconds())
        {
            await OAuthErrorAsync(context, "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.");
            return;
        }

        if (claims["scope"]?.GetValue<string>()?.Split(' ').Contains("https://www.googleapis.com/auth/compute") != true)
        {
            await OAuthErrorAsync(context, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
            return;
        }

        Interlocked.Increment(ref tokenExchanges);
        await WriteJsonAsync(context, 200, new JsonObject { ["access_token"] = IssueToken(), ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private async Task ComputeAsync(HttpContext context)
    {
        var path = (string)context.Request.RouteValues["path"]!;
        log.Enqueue($"{context.Request.Method} {path}");
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\"";
            await ErrorAsync(context, FakeError.Unauthenticated(
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                "required"));
            return;
        }

        if (!tokens.ContainsKey(header["Bearer ".Length..]))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
            await ErrorAsync(context, FakeError.Unauthenticated("Invalid Credentials", "authError"));
            return;
        }

        if (faults.TryDequeue(out var fault))
        {
            await ErrorAsync(context, new FakeError(fault.Status, fault.Reason, $"Injected failure: {fault.Reason}"));
            return;
        }

        JsonObject? body = null;
        if (context.Request.ContentLength > 0 || context.Request.ContentType is not null)
        {
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            }
            catch (JsonException e)
            {
                await ErrorAsync(context, FakeError.Invalid($"Invalid JSON payload received. {e.Message}"));
                return;
            }
        }

        try
        {
            var result = await DispatchAsync(context.Request.Method, path, context.Request.Query, body, context.RequestAborted);
            await WriteJsonAsync(context, 200, result);
        }
        catch (FakeError error)
        {
            await ErrorAsync(context, error);
        }
    }

    private async Task<JsonNode> DispatchAsync(string method, string path, IQueryCollection query, JsonObject? body, CancellationToken cancellationToken)
    {
        var match = Route().Match(path);
        if (!match.Success)
        {
            throw FakeError.NotFound($"The requested URL /compute/v1/{path} was not found on this server.");
        }

        if (match.Groups["project"].Value != Project)
        {
            throw FakeError.NotFound($"The resource 'projects/{match.Groups["project"].Value}' was not found");
        }

        var zone = match.Groups["zone"].Success ? match.Groups["zone"].Value : null;
        var collection = match.Groups["collection"].Value;
        var name = match.Groups["name"].Success ? match.Groups["name"].Value : null;
        var verb = match.Groups["verb"].Success ? match.Groups["verb"].Value : null;
        return (collection, method, name, verb) switch
        {
            ("instanceTemplates", "GET", { } n, null) when zone is null => state.GetTemplate(n),
            ("instanceTemplates", "POST", null, null) when zone is null => state.InsertTemplate(Required(body)),
            ("instanceGroupManagers", "GET", { } n, null) when zone is not null => state.GetGroup(zone, n),
            ("instanceGroupManagers", "POST", null, null) when zone is not null => state.InsertGroup(zone, Required(body)),
            ("instanceGroupManagers", "DELETE", { } n, null) when zone is not null => state.DeleteGroup(zone, n),
            ("instanceGroupManagers", "POST", { } n, "resize") when zone is not null => state.Resize(zone, n, Size(query)),
            ("instanceGroupManagers", "POST", { } n, "setInstanceTemplate") when zone is not null => state.SetInstanceTemplate(zone, n, Required(body)),
            ("instanceGroupManagers", "POST", { } n, "listManagedInstances") when zone is not null => state.ListManagedInstances(zone, n, PageSize(query), query["pageToken"]),
            ("aggregated/instanceGroupManagers", "GET", null, null) => state.AggregatedGroups(PageSize(query), query["pageToken"]),
            ("operations", "GET", { } n, null) => state.GetOperation(zone, n),
            ("operations", "POST", { } n, "wait") => await state.WaitOperationAsync(zone, n, cancellationToken),
            _ => throw FakeError.NotFound($"The requested URL /compute/v1/{path} was not found on this server."),
        };
    }

    private static JsonObject Required(JsonObject? body) => body ?? throw FakeError.Invalid("Required field 'resource' not specified");

    private static int Size(IQueryCollection query) =>
        int.TryParse(query["size"], out var size) && size >= 0
            ? size
            : throw FakeError.Invalid($"Invalid value for field 'size': '{query["size"]}'. Must be greater than or equal to 0");

    private static int PageSize(IQueryCollection query) =>
        query["maxResults"].ToString() is { Length: > 0 } text
            ? int.TryParse(text, out var size) && size is > 0 and <= 500 ? size : throw FakeError.Invalid($"Invalid value for field 'maxResults': '{text}'. Must be less than or equal to 500")
            : 500;

    private static async Task ErrorAsync(HttpContext context, FakeError error) =>
        await WriteJsonAsync(context, error.Code, error.Body());

    private static Task OAuthErrorAsync(HttpContext context, string error, string description) =>
        WriteJsonAsync(context, 400, new JsonObject { ["error"] = error, ["error_description"] = description });

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    [GeneratedRegex("^projects/(?<project>[^/]+)/(?:zones/(?<zone>[^/]+)/|global/)?(?<collection>aggregated/instanceGroupManagers|instanceTemplates|instanceGroupManagers|operations)(?:/(?<name>[^/]+)(?:/(?<verb>[A-Za-z]+))?)?$")]
    private static partial Regex Route();
}
