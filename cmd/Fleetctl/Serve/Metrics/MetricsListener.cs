using System.Net;
using System.Net.Sockets;
using Fleet.Engine.Diagnostics;
using Fleet.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Fleetctl.Serve.Metrics;

/// <summary>
/// The HTTP listener of <c>fleetctl worker --metrics-listen ADDR</c>: only <see cref="ProbeEndpoints"/>,
/// nothing else. Started before the worker takes jobs, stopped when it stops.
/// </summary>
internal sealed class MetricsListener : IAsyncDisposable
{
    private readonly WebApplication app;

    private MetricsListener(WebApplication app, string address)
    {
        this.app = app;
        Address = address;
    }

    /// <summary>Where it listens, as <c>http://127.0.0.1:9464</c> (the port the system chose for port 0).</summary>
    public string Address { get; }

    public static async Task<MetricsListener> StartAsync(IPEndPoint listen, CollectorRegistry registry, StateDatabase database, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(listen));
        var app = builder.Build();
        ProbeEndpoints.Map(app, registry, database);
        app.MapFallback(() => Results.NotFound());
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            await app.DisposeAsync();
            throw new FleetException($"--metrics-listen: cannot listen on {listen}: {e.Message}");
        }

        return new MetricsListener(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
