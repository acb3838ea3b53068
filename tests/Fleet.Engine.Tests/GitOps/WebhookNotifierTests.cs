using System.Collections.Immutable;
using System.Text.Json;
using Fleet.Engine.GitOps;
using Fleet.Engine.Model;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.GitOps;

public sealed class WebhookNotifierTests : IDisposable
{
    private readonly HttpClient _client = new();

    public void Dispose() => _client.Dispose();

    private static DriftReport Report() => new(
        "acme",
        new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero),
        new string('a', 40),
        ReconcileMode.Report,
        ReconcileStatus.Drift,
        [new DriftItem("pool/fancydb-lon", "machine_broken", "C0MPUT3 is broken")],
        ImmutableSortedDictionary<string, int>.Empty.Add("install", 1).Add("recycle", 1),
        null,
        null);

    [Fact]
    public async Task Posts_the_report_as_json()
    {
        using var webhook = new LoopbackWebhook();
        var received = webhook.ReceiveOneAsync();

        var failure = await new WebhookNotifier(_client).NotifyAsync(new Uri(webhook.Url("/hooks/fleet")), Report(), CancellationToken.None);

        Assert.Null(failure);
        var (method, contentType, body) = await received;
        Assert.Equal("POST", method);
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("drift", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("machine_broken", json.RootElement.GetProperty("items")[0].GetProperty("cause").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("changes").GetProperty("recycle").GetInt32());
    }

    [Fact]
    public async Task A_webhook_that_is_down_is_reported_not_thrown_and_hides_credentials()
    {
        var port = new LoopbackWebhook().Port; // nothing listens there
        var failure = await new WebhookNotifier(_client).NotifyAsync(new Uri($"http://bot:hunter2@127.0.0.1:{port}/hook"), Report(), CancellationToken.None);

        Assert.NotNull(failure);
        Assert.Contains($"127.0.0.1:{port}/hook", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }
}
