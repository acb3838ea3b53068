using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fleet.Providers.Gcp.Auth;
using Google.Apis.Auth.OAuth2;

namespace Fleet.Providers.Gcp.Compute;

/// <summary>
/// The Compute Engine v1 REST calls fleetctl needs (instance templates, zonal managed instance
/// groups, operations), over <see cref="HttpClient"/> with a bearer token from Google.Apis.Auth.
/// Mutations return once their operation is <c>DONE</c> (a failed operation throws
/// <see cref="ComputeOperationException"/>); 429, 5xx, rate-limit reasons and network failures are
/// retried with backoff; a missing resource is <c>null</c> (or, for deletes, nothing to do).
/// </summary>
public sealed class ComputeClient(HttpClient http, ITokenAccess credential, Uri endpoint, string project, TimeProvider clock, ComputeClientOptions options)
{
    private static readonly ComputeJson Json = ComputeJson.Default;

    private readonly Uri endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");

    public string Project { get; } = project;

    /// <summary>A template's path relative to the endpoint, which is also how a group refers to it.</summary>
    public string TemplatePath(string name) => $"projects/{Project}/global/instanceTemplates/{name}";

    public string GroupPath(string zone, string name) => $"projects/{Project}/zones/{zone}/instanceGroupManagers/{name}";

    public Task<InstanceTemplate?> GetInstanceTemplateAsync(string name, CancellationToken cancellationToken) =>
        GetAsync(TemplatePath(name), Json.InstanceTemplate, cancellationToken);

    /// <summary>Creates a template; one of that name already existing counts as created (names carry a hash of the content).</summary>
    /// <returns>False when it already existed.</returns>
    public async Task<bool> InsertInstanceTemplateAsync(InstanceTemplate template, CancellationToken cancellationToken)
    {
        var path = $"projects/{Project}/global/instanceTemplates";
        try
        {
            var operation = await SendAsync(HttpMethod.Post, path, Body(template, Json.InstanceTemplate), Json.Operation, cancellationToken);
            await WaitAsync(operation!, $"insert of {TemplatePath(template.Name)}", cancellationToken);
            return true;
        }
        catch (ComputeException e) when (e.Reason == "alreadyExists")
        {
            return false;
        }
    }

    public Task<InstanceGroupManager?> GetGroupAsync(string zone, string name, CancellationToken cancellationToken) =>
        GetAsync(GroupPath(zone, name), Json.InstanceGroupManager, cancellationToken);

    /// <summary>Every zonal managed instance group of the project (aggregated list, all pages).</summary>
    public async Task<IReadOnlyList<InstanceGroupManager>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var groups = new List<InstanceGroupManager>();
        string? token = null;
        do
        {
            var page = await SendAsync(HttpMethod.Get, $"projects/{Project}/aggregated/instanceGroupManagers?{PageQuery(token)}", null, Json.AggregatedGroupsPage, cancellationToken);
            foreach (var scope in page?.Items?.Values ?? [])
            {
                groups.AddRange(scope.InstanceGroupManagers ?? []);
            }

            token = page?.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
        return groups;
    }

    /// <summary>Creates a group and waits for its operation. A group of that name already in the zone is not an error here: the caller compares it.</summary>
    /// <returns>False when a group of that name already existed.</returns>
    public async Task<bool> InsertGroupAsync(string zone, InstanceGroupManager group, CancellationToken cancellationToken)
    {
        try
        {
            var operation = await SendAsync(HttpMethod.Post, $"projects/{Project}/zones/{zone}/instanceGroupManagers", Body(group, Json.InstanceGroupManager), Json.Operation, cancellationToken);
            await WaitAsync(operation!, $"insert of {GroupPath(zone, group.Name)}", cancellationToken);
            return true;
        }
        catch (ComputeException e) when (e.Reason == "alreadyExists")
        {
            return false;
        }
    }

    public async Task ResizeAsync(string zone, string name, int size, CancellationToken cancellationToken)
    {
        var path = $"{GroupPath(zone, name)}/resize?size={size.ToString(CultureInfo.InvariantCulture)}";
        var operation = await SendAsync(HttpMethod.Post, path, null, Json.Operation, cancellationToken);
        await WaitAsync(operation!, $"resize of {GroupPath(zone, name)} to {size}", cancellationToken);
    }

    /// <summary>Sets the template new instances are created from; existing instances keep theirs.</summary>
    public async Task SetInstanceTemplateAsync(string zone, string name, string template, CancellationToken cancellationToken)
    {
        var body = Body(new SetInstanceTemplateRequest(TemplatePath(template)), Json.SetInstanceTemplateRequest);
        var operation = await SendAsync(HttpMethod.Post, $"{GroupPath(zone, name)}/setInstanceTemplate", body, Json.Operation, cancellationToken);
        await WaitAsync(operation!, $"setInstanceTemplate of {GroupPath(zone, name)} to {template}", cancellationToken);
    }

    /// <summary>The group's instances and what is being done to each (all pages).</summary>
    public async Task<IReadOnlyList<ManagedInstance>> ListManagedInstancesAsync(string zone, string name, CancellationToken cancellationToken)
    {
        var instances = new List<ManagedInstance>();
        string? token = null;
        do
        {
            var page = await SendAsync(HttpMethod.Post, $"{GroupPath(zone, name)}/listManagedInstances?{PageQuery(token)}", null, Json.ManagedInstancesPage, cancellationToken);
            instances.AddRange(page?.ManagedInstances ?? []);
            token = page?.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
        return instances;
    }

    /// <summary>Deletes a group and its instances.</summary>
    /// <returns>False when there was no such group.</returns>
    public async Task<bool> DeleteGroupAsync(string zone, string name, CancellationToken cancellationToken)
    {
        try
        {
            var operation = await SendAsync(HttpMethod.Delete, GroupPath(zone, name), null, Json.Operation, cancellationToken);
            await WaitAsync(operation!, $"delete of {GroupPath(zone, name)}", cancellationToken);
            return true;
        }
        catch (ComputeException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Calls the operation's <c>wait</c> (zonal or global) until it is <c>DONE</c>, then throws
    /// <see cref="ComputeOperationException"/> with its <c>error.errors</c> if it failed.
    /// </summary>
    public async Task<Operation> WaitAsync(Operation operation, string what, CancellationToken cancellationToken)
    {
        while (operation.Status != Operation.Done)
        {
            var scope = operation.Zone is { } zone ? $"zones/{LastSegment(zone)}" : "global";
            var path = $"projects/{Project}/{scope}/operations/{operation.Name}/wait";
            var next = await SendAsync(HttpMethod.Post, path, null, Json.Operation, cancellationToken)
                ?? throw new ComputeException($"operation {operation.Name} ({what}) no longer exists");
            if (next.Status != Operation.Done)
            {
                await Task.Delay(options.PollInterval, clock, cancellationToken);
            }

            operation = next;
        }

        if (operation.Error is { Errors.Count: > 0 } error)
        {
            var details = string.Join("; ", error.Errors.Select(e => $"{e.Code}: {e.Message}"));
            throw new ComputeOperationException($"{what} failed in project {Project}: {details}", error.Errors);
        }

        return operation;
    }

    /// <summary>The last path segment of a resource URL (<c>.../zones/europe-west1-b</c> → <c>europe-west1-b</c>).</summary>
    public static string LastSegment(string url) => url[(url.LastIndexOf('/') + 1)..];

    private string PageQuery(string? token) =>
        $"maxResults={options.PageSize.ToString(CultureInfo.InvariantCulture)}" + (token is null ? string.Empty : $"&pageToken={Uri.EscapeDataString(token)}");

    private async Task<T?> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await SendAsync(HttpMethod.Get, path, null, type, cancellationToken);
        }
        catch (ComputeException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static byte[] Body<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <summary>One call with retries; a final failure is a <see cref="ComputeException"/> naming the call.</summary>
    private async Task<T?> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var uri = new Uri(endpoint, path);
        var call = $"{method} {path.Split('?')[0]}";
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(method, uri);
                var token = await TokenAsync(uri, cancellationToken);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
                }

                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return text.Length == 0 ? null : Parse(text, type, call);
                }

                var error = ParseError(text);
                var reason = error?.Errors?.FirstOrDefault()?.Reason;
                // An error may quote the request, Authorization header included.
                var message = TokenRedaction.Redact($"{call}: {(int)response.StatusCode} {reason ?? response.ReasonPhrase}: {error?.Message ?? Shorten(text)}", token);
                if (!IsRetryable(response.StatusCode, reason) || attempt >= options.MaxAttempts)
                {
                    throw new ComputeException(message, response.StatusCode, reason);
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (Exception e) when (IsNetworkFailure(e, cancellationToken) && attempt >= options.MaxAttempts)
            {
                throw new ComputeException(TokenRedaction.Redact($"{call}: cannot reach {endpoint.GetLeftPart(UriPartial.Authority)}: {e.Message}"), inner: e);
            }
            catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
            {
                // A network failure or an HTTP timeout is retried like a 503.
            }

            await Task.Delay(retryAfter ?? Backoff(attempt), clock, cancellationToken);
        }
    }

    private async Task<string> TokenAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await credential.GetAccessTokenForRequestAsync(uri.AbsoluteUri, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The token endpoint's error may quote the signed assertion; the exception (with it) is not kept.
            throw new ComputeException(TokenRedaction.Redact($"cannot get an access token for project {Project}: {e.Message}"));
        }
    }

    /// <summary>A connection that failed, or a request that ran into <see cref="HttpClient.Timeout"/> (not the caller's cancellation).</summary>
    private static bool IsNetworkFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.InitialBackoff.Ticks << Math.Min(attempt - 1, 20)));

    private static bool IsRetryable(HttpStatusCode status, string? reason) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
        || reason is "rateLimitExceeded" or "userRateLimitExceeded";

    private static T Parse<T>(string text, JsonTypeInfo<T> type, string call)
    {
        try
        {
            return JsonSerializer.Deserialize(text, type) ?? throw new ComputeException($"{call}: the response is empty");
        }
        catch (JsonException e)
        {
            throw new ComputeException($"{call}: the response is not the JSON the Compute Engine API returns: {e.Message}", inner: e);
        }
    }

    private static ErrorBody? ParseError(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonSerializer.Deserialize(text, Json.ErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }
}
