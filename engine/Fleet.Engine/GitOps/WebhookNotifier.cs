using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.Engine.GitOps;

/// <summary>
/// POSTs drift reports to the fleet's webhook. A webhook that is down never fails the pass: the
/// failure is returned for the caller to log, and the URL's credentials never appear in it.
/// </summary>
public sealed class WebhookNotifier(HttpClient client)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <returns>Null on success, otherwise a one-line description of the failure.</returns>
    public async Task<string?> NotifyAsync(Uri webhook, DriftReport report, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await client.PostAsJsonAsync(webhook, report, Json, timeout.Token);
            return response.IsSuccessStatusCode
                ? null
                : $"webhook {Display(webhook)} answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException e)
        {
            return $"webhook {Display(webhook)} failed: {e.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"webhook {Display(webhook)} did not answer within 10 s";
        }
    }

    private static string Display(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.GetLeftPart(UriPartial.Path) : uri.GetLeftPart(UriPartial.Path).Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal);
}
