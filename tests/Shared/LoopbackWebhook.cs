using System.Net;
using System.Net.Sockets;

namespace Fleet.Tests.Shared;

/// <summary>A real HTTP listener on a free loopback port that records the first request it gets.</summary>
public sealed class LoopbackWebhook : IDisposable
{
    private readonly HttpListener _listener = new();

    /// <summary>Reserves a free port without listening yet, so a test can first see a webhook that is down.</summary>
    public LoopbackWebhook(int? port = null)
    {
        Port = port ?? FreePort();
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Starts listening; the task completes with the first request's method, content type and body.</summary>
    public Task<(string Method, string? ContentType, string Body)> ReceiveOneAsync(int status = 204)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        return Task.Run(async () =>
        {
            var context = await _listener.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = status;
            context.Response.Close();
            return (context.Request.HttpMethod, context.Request.ContentType, body);
        });
    }

    public void Dispose() => ((IDisposable)_listener).Dispose();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
