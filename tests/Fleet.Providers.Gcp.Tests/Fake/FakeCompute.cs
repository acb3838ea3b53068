using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp.Auth;
using Fleet.Providers.Gcp.Compute;
using Google.Apis.Auth.OAuth2;

namespace Fleet.Providers.Gcp.Tests.Fake;

/// <summary>A fake Compute Engine per test class, and clients of it authenticated the way fleetctl authenticates.</summary>
public class FakeCompute : IAsyncLifetime
{
    public static readonly ComputeClientOptions FastOptions = new(4, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), 500, TimeSpan.FromMilliseconds(10));

    private readonly List<HttpClient> clients = [];

    public FakeComputeEngine Fake { get; private set; } = null!;

    public async Task InitializeAsync() => Fake = await FakeComputeEngine.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await Fake.DisposeAsync();
    }

    /// <summary>A client whose token comes from a service-account key (env reference) through the fake's token endpoint.</summary>
    public async Task<ComputeClient> ClientWithKeyAsync(ComputeClientOptions? options = null)
    {
        var key = Fake.CreateServiceAccountKey();
        var spec = new GcpSpec(FakeComputeEngine.Project, "env:GCP_KEY", Fake.Endpoint.AbsoluteUri, FieldLocations.At(new SourceLocation("fleet.yaml", 1, 1)));
        var credential = await GcpCredentials.CreateAsync(spec, "/", name => name == "GCP_KEY" ? key : null, CancellationToken.None);
        return Client(credential, options);
    }

    /// <summary>A client with a token the fake issued directly (for tests about something other than authentication).</summary>
    public ComputeClient Client(ComputeClientOptions? options = null) => Client(new StaticToken(Fake.IssueToken()), options);

    public ComputeClient Client(ITokenAccess credential, ComputeClientOptions? options = null)
    {
        var http = new HttpClient();
        clients.Add(http);
        return new ComputeClient(http, credential, Fake.Endpoint, FakeComputeEngine.Project, TimeProvider.System, options ?? FastOptions);
    }

    public static InstanceTemplate Template(string name, string machineType = "n2-standard-8") =>
        new(name, "test", new InstanceProperties(
            machineType,
            ImmutableDictionary<string, string>.Empty.Add("fleet-pool", "web"),
            [new AttachedDisk(true, true, new AttachedDiskInitializeParams("projects/debian-cloud/global/images/family/debian-12"))],
            [new NetworkInterface("global/networks/default")]));

    public sealed class StaticToken(string token) : ITokenAccess
    {
        public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) => Task.FromResult(token);
    }
}
