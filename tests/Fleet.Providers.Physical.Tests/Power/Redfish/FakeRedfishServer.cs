using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Providers.Physical.Tests.Power.Redfish;

/// <summary>
/// Kestrel serving one <see cref="FakeRedfishBmc"/> per HTTPS port on 127.0.0.1 (free ports, the
/// given certificate), so one process can stand in for a rack of BMCs.
/// </summary>
internal sealed class FakeRedfishServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeRedfishServer(WebApplication app, ImmutableDictionary<int, FakeRedfishBmc> byPort)
    {
        this.app = app;
        ByPort = byPort;
    }

    public ImmutableDictionary<int, FakeRedfishBmc> ByPort { get; }

    /// <summary>The BMCs in serial order (SN1, SN2, …).</summary>
    public IReadOnlyList<FakeRedfishBmc> Bmcs => [.. ByPort.Values.OrderBy(b => b.Serial.Length).ThenBy(b => b.Serial, StringComparer.Ordinal)];

    public FakeRedfishBmc Bmc => Bmcs[0];

    public int PortOf(FakeRedfishBmc bmc) => ByPort.Single(p => p.Value == bmc).Key;

    public static async Task<FakeRedfishServer> StartAsync(X509Certificate2 certificate, int bmcs = 1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < bmcs; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            }
        });
        var app = builder.Build();
        var byPort = new Dictionary<int, FakeRedfishBmc>();
        app.Run(context => byPort[context.Connection.LocalPort].HandleAsync(context));
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address).Port)
            .Order()
            .ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            byPort[ports[i]] = new FakeRedfishBmc(string.Create(CultureInfo.InvariantCulture, $"SN{i + 1}"));
        }

        return new FakeRedfishServer(app, byPort.ToImmutableDictionary());
    }

    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
