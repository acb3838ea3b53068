using Fleet.Engine.Model;
using Fleet.Providers.Gcp.Auth;
using Fleet.Providers.Gcp.Compute;

namespace Fleet.Providers.Gcp;

/// <summary>
/// The Compute Engine client of a fleet, made on first use (reading the key and building the
/// credential), so a fleet that declares <c>gcp</c> but plans nothing there never touches it. A failed
/// attempt is not remembered: the next use tries again.
/// </summary>
public sealed class GcpConnection(Func<CancellationToken, Task<ComputeClient>> connect)
{
    private readonly Lock gate = new();
    private Task<ComputeClient>? client;

    /// <summary>A connection to <c>gcp.endpoint</c> (or Google's) with the credentials of <c>gcp.credentials</c>.</summary>
    public static GcpConnection For(GcpSpec spec, string fleetDirectory, Func<string, string?> environment, HttpClient http, TimeProvider clock, ComputeClientOptions options) =>
        new(async cancellationToken =>
        {
            var credential = await GcpCredentials.CreateAsync(spec, fleetDirectory, environment, cancellationToken);
            return new ComputeClient(http, credential, new Uri(spec.Endpoint ?? ComputeClientOptions.DefaultEndpoint), spec.Project, clock, options);
        });

    public Task<ComputeClient> ClientAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (client is null || client.IsFaulted || client.IsCanceled)
            {
                client = connect(cancellationToken);
            }

            return client;
        }
    }
}
