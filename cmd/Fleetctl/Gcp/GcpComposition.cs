using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp;
using Fleet.Providers.Gcp.Compute;

namespace Fleetctl.Gcp;

/// <summary>
/// Wires the GCP provider to the fleet's <c>gcp</c> section (project, credentials, endpoint), the host
/// (environment for key references, clock) and the inventory's pool records. A fleet without a
/// <c>gcp</c> section gets a provider that reads and plans nothing.
/// </summary>
internal static class GcpComposition
{
    /// <summary>One HTTP client for every Compute Engine call of the process (connection reuse).</summary>
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(3) };

    public static GcpProvider CreateProvider(DesiredState desired, string fleetDirectory, IInventoryStore inventory, CliHost host)
    {
        var connection = desired.Fleet.Gcp() is { } gcp
            ? GcpConnection.For(gcp, fleetDirectory, host.GetEnvironment, Http, host.Clock, ComputeClientOptions.Default)
            : null;
        return new GcpProvider(connection, inventory.ListPoolsAsync, GcpApplyOptions.Default);
    }
}
