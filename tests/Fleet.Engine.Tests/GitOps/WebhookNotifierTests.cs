using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Fleet.Engine.GitOps;

namespace Fleet.Engine.Tests.GitOps;

public sealed class WebhookNotifierTests : IDisposable
{
    private readonly HttpClient _client = new();

    public void Dispose() => _client.Dispose();

    private static DriftReport Report() => new(
        "acme",
        new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero),
        new string('a', 40),
        "report",
        ReconcileStatus.Drift,
        [new DriftItem("pool/fancydb-lon", "machine_broken", "C0MPUT3 is broken")],
        ImmutableSortedDictionary<string, int>.Empty.Add("install", 1).Add("recycle", 1),
        null,
        null);

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Posts_the_report_as_json()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = 204;
            context.Response.Close();
            return (context.Request.HttpMethod, context.Request.ContentType, body);
        });

        var failure = await new WebhookNotifier(_client).NotifyAsync(new Uri($"http://127.0.0.1:{port}/hooks/fleet"), Report(), CancellationToken.None);

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
        var port = FreePort(); // nothing listens there any more
        var failure = await new WebhookNotifier(_client).NotifyAsync(new Uri($"http://bot:hunter2@127.0.0.1:{port}/hook"), Report(), CancellationToken.None);

        Assert.NotNull(failure);
        Assert.Contains($"127.0.0.1:{port}/hook", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }
}
