using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;

namespace Fleet.Providers.Physical.Power.Redfish;

/// <summary>A resource as read: where it lives, its JSON and its ETag (null when the BMC gives none).</summary>
internal sealed record RedfishResource(string Path, JsonObject Body, string? ETag);

/// <summary>
/// One conversation with one BMC (DSP0266): reads the service root, logs in through the
/// SessionService (POST to its Sessions collection; the <c>X-Auth-Token</c> answer authenticates
/// every later request, the session's <c>Location</c> is deleted at the end), falls back to HTTP
/// Basic on services without sessions, logs in again once when a session expired mid-way, follows
/// task monitors of asynchronous operations, and turns every failure into a message that names the
/// BMC and never the password.
/// </summary>
internal sealed class RedfishSession : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly Uri root;
    private readonly RedfishCredentials credentials;
    private readonly RedfishOptions options;
    private readonly TimeProvider clock;
    private string? sessionsCollection;
    private string? token;
    private string? session;

    private RedfishSession(HttpClient http, Uri root, string endpoint, RedfishCredentials credentials, RedfishOptions options, TimeProvider clock)
    {
        this.http = http;
        this.root = root;
        this.credentials = credentials;
        this.options = options;
        this.clock = clock;
        Endpoint = endpoint;
    }

    /// <summary>How messages name the BMC: <c>BMC 10.1.2.3:443 of C0MPUT3</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The Systems collection the service root links to.</summary>
    public string Systems { get; private set; } = string.Empty;

    public static async Task<RedfishSession> OpenAsync(HttpClient http, Uri root, string endpoint, RedfishCredentials credentials, RedfishOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var bmc = new RedfishSession(http, root, endpoint, credentials, options, clock);
        var service = await bmc.ReadAsync("/redfish/v1/", authenticated: false, cancellationToken);
        bmc.Systems = RedfishJson.Link(service.Body["Systems"]) ?? throw bmc.Error("its service root /redfish/v1/ links no Systems collection; is this a Redfish service?");
        bmc.sessionsCollection = RedfishJson.Link(service.Body["Links"]?["Sessions"]);
        if (bmc.sessionsCollection is not null)
        {
            await bmc.LoginAsync(cancellationToken);
        }

        return bmc;
    }

    public Task<RedfishResource> GetAsync(string path, CancellationToken cancellationToken) => ReadAsync(path, authenticated: true, cancellationToken);

    /// <summary>POSTs an action and waits for it to finish (through its task monitor when the BMC answers 202).</summary>
    public async Task PostAsync(string target, JsonObject parameters, string what, CancellationToken cancellationToken) =>
        await CompleteAsync(await SendAsync(HttpMethod.Post, target, parameters, null, authenticated: true, cancellationToken), what, cancellationToken);

    /// <summary>
    /// PATCHes a resource with <c>If-Match</c> its ETag, when it has one. A 412 means someone changed
    /// it since it was read: it is read again and the change sent once more.
    /// </summary>
    public async Task PatchAsync(RedfishResource resource, JsonObject changes, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await SendAsync(HttpMethod.Patch, resource.Path, changes, resource.ETag, authenticated: true, cancellationToken);
            if (response.StatusCode == HttpStatusCode.PreconditionFailed && attempt == 0)
            {
                response.Dispose();
                resource = await GetAsync(resource.Path, cancellationToken);
                continue;
            }

            await CompleteAsync(response, what, cancellationToken);
            return;
        }
    }

    public FleetException Error(string message) => new(credentials.Redact($"redfish {Endpoint}: {message}"));

    /// <summary>Deletes the session; a BMC that cannot be reached now expires it on its own.</summary>
    public async ValueTask DisposeAsync()
    {
        if (session is null)
        {
            return;
        }

        try
        {
            using var response = await SendAsync(HttpMethod.Delete, session, null, null, authenticated: true, CancellationToken.None, relogin: false);
        }
        catch (FleetException)
        {
            // Best effort: the session times out on the BMC.
        }

        session = null;
        token = null;
    }

    private async Task LoginAsync(CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["UserName"] = credentials.Username, ["Password"] = credentials.Password };
        using var response = await SendAsync(HttpMethod.Post, sessionsCollection!, body, null, authenticated: false, cancellationToken);
        await EnsureSuccessAsync(response, $"login as {credentials.Username}", cancellationToken);
        token = response.Headers.TryGetValues("X-Auth-Token", out var values) ? values.FirstOrDefault() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw Error($"login as {credentials.Username}: the BMC created a session but sent no X-Auth-Token");
        }

        session = response.Headers.Location?.OriginalString ?? RedfishJson.Link(await BodyAsync(response, cancellationToken));
    }

    private async Task<RedfishResource> ReadAsync(string path, bool authenticated, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, authenticated, cancellationToken);
        await EnsureSuccessAsync(response, $"GET {path}", cancellationToken);
        var body = await BodyAsync(response, cancellationToken) ?? throw Error($"GET {path} answered with something other than a JSON object");
        return new RedfishResource(path, body, response.Headers.ETag?.ToString() ?? RedfishJson.Text(body["@odata.etag"]));
    }

    /// <summary>
    /// Waits out an asynchronous operation (DSP0266 "Asynchronous operations"): a 202 carries a task
    /// monitor in <c>Location</c>, which answers 202 while the task runs (waiting as its
    /// <c>Retry-After</c> says) and then the operation's own result; a Task resource in that result
    /// must have completed without a critical status. Takes ownership of <paramref name="response"/>.
    /// </summary>
    private async Task CompleteAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + options.OperationTimeout;
        string? monitor = null;
        try
        {
            while (true)
            {
                await EnsureSuccessAsync(response, what, cancellationToken);
                var body = await BodyAsync(response, cancellationToken);
                var state = RedfishJson.Text(body?["TaskState"]);
                if (response.StatusCode != HttpStatusCode.Accepted && (state is null || IsFinished(state)))
                {
                    CheckTask(body, state, what);
                    return;
                }

                monitor = response.Headers.Location?.OriginalString ?? RedfishJson.Text(body?["TaskMonitor"]) ?? monitor
                    ?? throw Error($"{what}: the BMC answered 202 Accepted without a task monitor (Location) to follow");
                var wait = Wait(RetryAfter(response));
                if (clock.GetUtcNow() + wait > deadline)
                {
                    throw Error(string.Create(CultureInfo.InvariantCulture, $"{what}: the BMC's task did not finish within {options.OperationTimeout.TotalSeconds:0.###} s (task monitor {monitor})"));
                }

                await Task.Delay(wait, clock, cancellationToken);
                response.Dispose();
                response = await SendAsync(HttpMethod.Get, monitor, null, null, authenticated: true, cancellationToken);
            }
        }
        finally
        {
            response.Dispose();
        }
    }

    private static bool IsFinished(string taskState) => taskState is "Completed" or "Exception" or "Killed" or "Cancelled";

    private void CheckTask(JsonObject? body, string? state, string what)
    {
        var status = RedfishJson.Text(body?["TaskStatus"]);
        if (state is null || (state == "Completed" && status != "Critical"))
        {
            return;
        }

        var details = RedfishErrors.Describe(body);
        throw Error($"{what}: the BMC's task ended {state}{(status is null ? "" : $" ({status})")}{(details is null ? "" : $": {details}")}");
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var after = response.Headers.RetryAfter;
        return after?.Delta ?? (after?.Date is { } date ? date - clock.GetUtcNow() : null);
    }

    /// <summary>
    /// At least what <c>Retry-After</c> asks (it is the least a client should wait), never faster
    /// than the poll interval (a BMC saying 0 is not asking to be hammered), at most <see cref="RedfishOptions.MaxRetryAfter"/>.
    /// </summary>
    private TimeSpan Wait(TimeSpan? retryAfter)
    {
        var wait = retryAfter is { } asked && asked > options.PollInterval ? asked : options.PollInterval;
        return wait > options.MaxRetryAfter && options.MaxRetryAfter >= options.PollInterval ? options.MaxRetryAfter : wait;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var details = RedfishErrors.Describe(await BodyAsync(response, cancellationToken));
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $"; check power.username ({credentials.Username}) and the password that power.password names",
            HttpStatusCode.Forbidden => $"; the BMC account {credentials.Username} needs the ConfigureComponents privilege (the Operator role has it)",
            _ => "",
        };
        throw Error($"{what} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(details is null ? "" : $": {details}")}{hint}");
    }

    private static async Task<JsonObject?> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : RedfishJson.Parse(text);
    }

    /// <summary>Sends one request; a 401 on an authenticated request means the session expired: log in again, once.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonNode? body, string? ifMatch, bool authenticated, CancellationToken cancellationToken, bool relogin = true)
    {
        for (var again = false; ; again = true)
        {
            var uri = new Uri(root, path);
            if (Uri.Compare(uri, root, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                // Links come from the BMC: one that leaves it must not take the session token or password along.
                throw Error($"the BMC linked to {uri.GetLeftPart(UriPartial.Authority)}, another server than itself; fleetctl sends its credentials only to the BMC");
            }

            using var request = new HttpRequestMessage(method, uri);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            if (authenticated)
            {
                Authorize(request);
            }

            var response = await TransportAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && authenticated && token is not null && relogin && !again)
            {
                response.Dispose();
                await LoginAsync(cancellationToken);
                continue;
            }

            return response;
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (token is not null)
        {
            request.Headers.Add("X-Auth-Token", token);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
        }
    }

    private async Task<HttpResponseMessage> TransportAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var what = $"{request.Method} {request.RequestUri}";
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException tls)
        {
            throw Error($"{what}: TLS handshake failed, the BMC's certificate is not trusted ({tls.Message}); give the site's CA, or the BMC's own certificate, as power.caFile");
        }
        catch (HttpRequestException e)
        {
            throw Error($"{what}: cannot reach the BMC: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Error(string.Create(CultureInfo.InvariantCulture, $"{what}: no answer within {http.Timeout.TotalSeconds:0.###} s"));
        }
    }
}
